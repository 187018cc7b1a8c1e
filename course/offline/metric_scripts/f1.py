"""F1, offline edition written by the `course` project: scikit-learn's `f1_score`.

The same arguments and result key as the Hub's `evaluate-metric/f1` script. Online,
`evaluate.load("f1")` downloads the Hub's own script instead of this one.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import f1_score


class F1(evaluate.Metric):
    def _info(self):
        multilabel = self.config_name == "multilabel"
        value = datasets.Sequence(datasets.Value("int32")) if multilabel else datasets.Value("int32")
        return evaluate.MetricInfo(
            description=__doc__,
            citation="scikit-learn (Pedregosa et al., 2011); offline edition by the course project",
            inputs_description="predictions, references; labels, pos_label, average, sample_weight",
            features=datasets.Features({"predictions": value, "references": value}),
        )

    def _compute(
        self, predictions, references, labels=None, pos_label=1, average="binary", sample_weight=None
    ):
        score = f1_score(
            references,
            predictions,
            labels=labels,
            pos_label=pos_label,
            average=average,
            sample_weight=sample_weight,
        )
        return {"f1": float(score) if np.ndim(score) == 0 else np.asarray(score)}
