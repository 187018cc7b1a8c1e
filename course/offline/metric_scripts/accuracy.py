"""Accuracy, offline edition written by the `course` project: scikit-learn's `accuracy_score`.

The same arguments and result key as the Hub's `evaluate-metric/accuracy` script. Online,
`evaluate.load("accuracy")` downloads the Hub's own script instead of this one.
"""

import datasets
import evaluate
from sklearn.metrics import accuracy_score


class Accuracy(evaluate.Metric):
    def _info(self):
        multilabel = self.config_name == "multilabel"
        value = datasets.Sequence(datasets.Value("int32")) if multilabel else datasets.Value("int32")
        return evaluate.MetricInfo(
            description=__doc__,
            citation="scikit-learn (Pedregosa et al., 2011); offline edition by the course project",
            inputs_description="predictions, references; normalize=True, sample_weight=None",
            features=datasets.Features({"predictions": value, "references": value}),
        )

    def _compute(self, predictions, references, normalize=True, sample_weight=None):
        return {
            "accuracy": float(
                accuracy_score(references, predictions, normalize=normalize, sample_weight=sample_weight)
            )
        }
