"""Rule compare_models: multimodal vs unimodal cross-modal scores outside primary sensory cortex."""

import pandas as pd

from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.scorefile import load_regions
from crossmodal.transfer.compare import compare_models
from crossmodal.transfer.subject import load_scores

log = setup_logging(snakemake.log[0])
rows, alignment = [], snakemake.params.alignment
for subject, multimodal_path, unimodal_path in zip(snakemake.params.subjects, snakemake.input.multimodal, snakemake.input.unimodal):
    multimodal, unimodal = load_scores(multimodal_path), load_scores(unimodal_path)
    outside = ~load_regions(multimodal_path).primary_sensory
    for direction in ("story_to_movie", "movie_to_story"):
        a, b = multimodal[direction, alignment], unimodal[direction, alignment]
        for score in ("raw", "corrected"):
            result = compare_models(a[f"{score}_r"], b[f"{score}_r"], mask=outside)
            rows.append({"subject": subject, "direction": direction, "alignment": alignment, "score": score, **result})
table = pd.DataFrame(rows)
write_table(table, snakemake.output[0])
log.info("\n%s", table.to_string())
