"""Cross-modal transfer: alignment maps, significance, reverse tuning, comparisons.

Plain functions on arrays (method.md steps 3, 5 and 6):

* :mod:`~crossmodal.transfer.stats` -- per-voxel correlation, block-permutation
  p-values, Benjamini-Hochberg FDR;
* :mod:`~crossmodal.transfer.tuning` -- reverse tuning (sign and gain from the
  target modality's training runs) and the transfer ratio;
* :mod:`~crossmodal.transfer.alignment` -- ridge maps between image and text
  feature spaces fitted on image-caption pairs, retrieval metrics and the
  alignment report;
* :mod:`~crossmodal.transfer.compare` -- multimodal-vs-unimodal comparison and
  region summaries.
"""

from crossmodal.transfer.alignment import (
    AlignmentMap,
    alignment_report,
    chance_recall,
    cv_folds,
    fit_alignment,
    fit_pair_maps,
    retrieval_metrics,
    retrieval_ranks,
)
from crossmodal.transfer.compare import across_subjects, block_bootstrap_mean, paired_difference, region_summary, spatial_blocks
from crossmodal.transfer.stats import (
    PermutationResult,
    block_permutation_indices,
    block_permutation_orders,
    block_permutation_pvalues,
    correlate_columns,
    fdr_bh,
)
from crossmodal.transfer.tuning import (
    TunedScores,
    apply_tuning,
    fit_tuning,
    reverse_tuned_fraction,
    score_with_tuning,
    transfer_ratio,
    tuned_correlation,
)

__all__ = [
    "AlignmentMap",
    "PermutationResult",
    "TunedScores",
    "alignment_report",
    "across_subjects",
    "apply_tuning",
    "block_bootstrap_mean",
    "block_permutation_indices",
    "block_permutation_orders",
    "block_permutation_pvalues",
    "chance_recall",
    "correlate_columns",
    "cv_folds",
    "fdr_bh",
    "fit_alignment",
    "fit_pair_maps",
    "fit_tuning",
    "paired_difference",
    "region_summary",
    "retrieval_metrics",
    "retrieval_ranks",
    "reverse_tuned_fraction",
    "score_with_tuning",
    "spatial_blocks",
    "transfer_ratio",
    "tuned_correlation",
]
