"""crossmodal: voxelwise encoding models that transfer across language and vision.

The library knows nothing about Snakemake: every function takes arrays or
paths and returns arrays or dataclasses, so a notebook gets the same numbers
as the workflow.
"""

__version__ = "0.1.0"
