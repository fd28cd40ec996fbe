"""The few array operations the ridge solver needs, for numpy and torch.

Arrays are numpy arrays for the numpy backend and torch tensors (on
``device``) for the torch backend; arithmetic operators (``@``, ``*``,
``+``, ``.T``) are shared, everything else goes through these methods.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.blas

from crossmodal.errors import InputError


class NumpyOps:
    """numpy / scipy (OpenBLAS or whatever numpy links) on the CPU."""

    name = "numpy"
    device = "cpu"
    float32 = np.float32
    float64 = np.float64

    def asarray(self, array, dtype):
        """Array of ``dtype`` on this backend (no copy when it already is one)."""
        return np.asarray(array, dtype=dtype)

    def to_numpy(self, array) -> np.ndarray:
        return np.asarray(array)

    def cast(self, array, dtype):
        return array.astype(dtype, copy=False)

    def zeros(self, shape, dtype):
        return np.zeros(shape, dtype=dtype)

    def eigh(self, symmetric, overwrite=False):
        """Eigenvalues (ascending) and eigenvectors of a symmetric matrix.

        ``overwrite=True`` lets LAPACK reuse the input's memory (the caller
        no longer needs it).
        """
        return scipy.linalg.eigh(symmetric, driver="evd", check_finite=False, overwrite_a=overwrite)

    def subtract_outer(self, matrix, column, row):
        """In place ``matrix -= column[:, None] * row[None, :]`` without a temporary.

        Parameters
        ----------
        matrix : (m, n) C-contiguous float32 array, modified
        column : (m,) array
        row : (n,) array
        """
        if matrix.flags.c_contiguous and matrix.dtype == np.float32:
            # BLAS rank-one update on the transposed (Fortran-ordered) view.
            scipy.linalg.blas.sger(-1.0, np.asarray(row, np.float32), np.asarray(column, np.float32),
                                   a=matrix.T, overwrite_a=True)
        else:
            matrix -= np.outer(column, row).astype(matrix.dtype, copy=False)
        return matrix

    def multiply_into(self, left, right, out):
        """``out = left * right`` elementwise, written into ``out``."""
        return np.multiply(left, right, out=out)

    def column_sums_of_squares(self, array):
        """``(array * array).sum(0)`` without the temporary, shape (n_columns,)."""
        return np.einsum("ij,ij->j", array, array)

    def take_columns(self, array, indices):
        return array[:, indices]

    def take_rows(self, array, indices):
        return array[indices]

    def index(self, indices):
        return np.asarray(indices, dtype=np.int64)

    def sqrt(self, array):
        return np.sqrt(array)

    def where(self, condition, if_true, if_false):
        return np.where(condition, if_true, if_false)

    def argmax0(self, array):
        """Index of the first maximum along axis 0."""
        return np.argmax(array, axis=0)


class TorchOps:
    """torch on ``device`` ("cpu" or "cuda[:k]")."""

    name = "torch"

    def __init__(self, device):
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.float32 = torch.float32
        self.float64 = torch.float64

    def asarray(self, array, dtype):
        torch = self.torch
        if isinstance(array, torch.Tensor):
            return array.to(device=self.device, dtype=dtype)
        return torch.as_tensor(np.asarray(array), device=self.device).to(dtype)

    def to_numpy(self, array) -> np.ndarray:
        return array.detach().cpu().numpy()

    def cast(self, array, dtype):
        return array.to(dtype)

    def zeros(self, shape, dtype):
        return self.torch.zeros(shape, dtype=dtype, device=self.device)

    def eigh(self, symmetric, overwrite=False):
        return self.torch.linalg.eigh(symmetric)

    def subtract_outer(self, matrix, column, row):
        """In place ``matrix -= column[:, None] * row[None, :]``."""
        return matrix.sub_(self.torch.outer(column.reshape(-1), row.reshape(-1)))

    def multiply_into(self, left, right, out):
        """``out = left * right`` elementwise, written into ``out``."""
        return self.torch.mul(left, right, out=out)

    def column_sums_of_squares(self, array):
        """``(array * array).sum(0)``, shape (n_columns,)."""
        return self.torch.einsum("ij,ij->j", array, array)

    def take_columns(self, array, indices):
        return array[:, indices]

    def take_rows(self, array, indices):
        return array[indices]

    def index(self, indices):
        return self.torch.as_tensor(np.asarray(indices, dtype=np.int64), device=self.device)

    def sqrt(self, array):
        return self.torch.sqrt(array)

    def where(self, condition, if_true, if_false):
        torch = self.torch
        if not isinstance(if_false, torch.Tensor):
            if_false = torch.as_tensor(if_false, dtype=if_true.dtype, device=if_true.device)
        return torch.where(condition, if_true, if_false)

    def argmax0(self, array):
        # torch.argmax does not promise the first of equal maxima; this does.
        best = array.max(dim=0).values
        is_best = array == best[None, :]
        positions = self.torch.arange(array.shape[0], device=array.device)[:, None].expand_as(array)
        return self.torch.where(is_best, positions, array.shape[0]).min(dim=0).values


def get_ops(backend: str, device=None):
    """Backend operations for ``backend`` ("numpy" or "torch") and ``device``.

    Parameters
    ----------
    backend : {"numpy", "torch"}
    device : str or None
        Torch device; None means "cuda" when available, else "cpu".
        Must be None or "cpu" for the numpy backend.
    """
    if backend == "numpy":
        if device not in (None, "cpu"):
            raise InputError("encoding.device", f"the numpy backend runs on the CPU only, got device={device!r}",
                             "use backend: torch for a GPU, or leave device unset")
        return NumpyOps()
    if backend == "torch":
        import torch

        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            raise InputError("encoding.device", f"device {device!r} requested but torch sees no CUDA GPU",
                             "use device: cpu, or run on a machine with a GPU")
        return TorchOps(device)
    raise InputError("encoding.backend", f"unknown backend {backend!r}", "use 'numpy' or 'torch'")
