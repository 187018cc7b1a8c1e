"""GLUE metric, offline edition written by the `course` project (scikit-learn underneath).

The same formulas and result keys as the Hub's `evaluate-metric/glue` script: accuracy for most tasks,
accuracy and F1 for MRPC and QQP, Matthews correlation for CoLA, Pearson and Spearman for STS-B.
Online, `evaluate.load("glue", ...)` downloads the Hub's own script instead of this one.
"""

import datasets
import evaluate
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

TASKS = (
    "sst2",
    "mnli",
    "mnli_mismatched",
    "mnli_matched",
    "cola",
    "stsb",
    "mrpc",
    "qqp",
    "qnli",
    "rte",
    "wnli",
    "hans",
)


class Glue(evaluate.Metric):
    def _info(self):
        if self.config_name not in TASKS:
            raise KeyError(f"You should supply a configuration name selected in {list(TASKS)}")
        kind = "float32" if self.config_name == "stsb" else "int64"
        return evaluate.MetricInfo(
            description=__doc__,
            citation="Wang et al., GLUE (2019); offline edition by the course project",
            inputs_description="predictions and references: one label (or score, for stsb) per example",
            features=datasets.Features(
                {"predictions": datasets.Value(kind), "references": datasets.Value(kind)}
            ),
            format="numpy",
        )

    def _compute(self, predictions, references):
        if self.config_name == "cola":
            return {"matthews_correlation": float(matthews_corrcoef(references, predictions))}
        if self.config_name == "stsb":
            return {
                "pearson": float(pearsonr(predictions, references)[0]),
                "spearmanr": float(spearmanr(predictions, references)[0]),
            }
        accuracy = float(accuracy_score(references, predictions))
        if self.config_name in ("mrpc", "qqp"):
            return {"accuracy": accuracy, "f1": float(f1_score(references, predictions))}
        return {"accuracy": accuracy}
