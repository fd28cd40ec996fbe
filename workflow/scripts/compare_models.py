"""Rule compare_models: multimodal vs unimodal cross-modal scores outside primary sensory cortex."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.scorefile import load_regions
from crossmodal.transfer.compare import compare_models
from crossmodal.transfer.subject import load_scores

log = setup_logging(snakemake.log[0])
rows = []
for subject, multimodal_path, unimodal_path in zip(snakemake.params.subjects, snakemake.input.multimodal, snakemake.input.unimodal):
    multimodal, unimodal = load_scores(multimodal_path), load_scores(unimodal_path)
    outside = ~load_regions(multimodal_path).primary_sensory
    for direction in ("story_to_movie", "movie_to_story"):
        a, b = multimodal[direction, "linear"], unimodal[direction, "linear"]
        for score in ("raw", "corrected"):
            result = compare_models(a[f"{score}_r"], b[f"{score}_r"], mask=outside)
            rows.append({"subject": subject, "direction": direction, "alignment": "linear", "score": score, **result})
table = pd.DataFrame(rows)
table.to_csv(snakemake.output[0], sep="\t", index=False)
log.info("\n%s", table.to_string())
