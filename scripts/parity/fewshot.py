"""scikit-learn on the same embeddings and training ids as our few-shot probes.

    python scripts/parity/fewshot.py CASE_DIR [CASE_DIR ...] > result.json

prints {"results": [{"cases": [...]}, ...]}, one entry per CASE_DIR. A CASE_DIR holds
`embeddings.npy` ([N, d], float32 or float64) and `case.json`:

    {"label_kind": "single-label" | "multi-label", "classes": K,
     "labels": [[class indices of row 0], ...],              # one list per row
     "cases": [{"name": .., "probe": "logreg" | "knn", "C": 1.0,
                "train": [row, ...], "test": [row, ...],
                "ours": {"predictions": [...]} }]}            # optional: metrics of our predictions too

For each case it fits what issue 13 names as the reference:
- logreg: `LogisticRegression(C=C, solver="lbfgs", max_iter=10000, tol=1e-8)` on the
  rows scaled to unit L2 norm in float64; multi-label: one such binary fit per class;
  a class (column) with one target value in the training rows is predicted as that
  value (sklearn refuses to fit it; OneVsRestClassifier does the same).
- knn: `KNeighborsClassifier(n_neighbors=min(5, len(train)), metric="cosine")`; for
  multi-label the 0/1 matrix as a multi-output target (per label, the majority of the
  k neighbours, a tie going to 0).
and prints per case: predictions (class index, or a 0/1 row per image), per-class
scores for multi-label (probability, or share of neighbours), logreg coefficients
and intercepts in our layout (rows over the fitted classes / columns), and the
metrics of these predictions: single-label acc1, mean_per_class_recall (balanced
accuracy), macro_f1; multi-label macro_mAP (average_precision_score over the classes
with a positive test image, the others listed) and micro_f1.
"""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, average_precision_score, balanced_accuracy_score, f1_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import normalize


def single_label_metrics(target, predicted):
    return {
        "acc1": float(accuracy_score(target, predicted)),
        "mean_per_class_recall": float(balanced_accuracy_score(target, predicted)),
        "macro_f1": float(f1_score(target, predicted, average="macro", zero_division=0)),
    }


def multi_label_metrics(target, predicted, scores):
    aps, excluded = [], []
    for c in range(target.shape[1]):
        if target[:, c].sum() == 0:
            excluded.append(c)
        else:
            aps.append(average_precision_score(target[:, c], scores[:, c]))
    return {
        "macro_mAP": float(np.mean(aps)) if aps else None,
        "micro_f1": float(f1_score(target, predicted, average="micro", zero_division=0)),
        "excluded": excluded,
    }


def logreg(x_train, y_train, x_test, C):
    model = LogisticRegression(C=C, solver="lbfgs", max_iter=10000, tol=1e-8)
    model.fit(x_train, y_train)
    return model


def run_case(case, X, labels, n_classes, multi_label):
    train, test = np.asarray(case["train"], dtype=int), np.asarray(case["test"], dtype=int)
    probe = case["probe"]
    out = {"name": case["name"]}
    if probe == "logreg":
        x_train, x_test = normalize(X[train]), normalize(X[test])
    else:
        x_train, x_test = X[train], X[test]
    if multi_label:
        Y = np.zeros((len(labels), n_classes), dtype=int)
        for row, row_labels in enumerate(labels):
            Y[row, row_labels] = 1
        y_train, y_test = Y[train], Y[test]
        predicted = np.zeros((len(test), n_classes), dtype=int)
        scores = np.zeros((len(test), n_classes))
        if probe == "knn":
            model = KNeighborsClassifier(n_neighbors=min(5, len(train)), metric="cosine").fit(x_train, y_train)
            predicted = model.predict(x_test)
            for c, proba in enumerate(model.predict_proba(x_test)):
                classes = list(model.classes_[c])
                scores[:, c] = proba[:, classes.index(1)] if 1 in classes else 0.0
        else:
            coef, intercept, fitted = [], [], []
            for c in range(n_classes):
                column = y_train[:, c]
                if column.min() == column.max():
                    predicted[:, c] = column[0]
                    scores[:, c] = float(column[0])
                    continue
                model = logreg(x_train, column, x_test, case["C"])
                predicted[:, c] = model.predict(x_test)
                scores[:, c] = model.predict_proba(x_test)[:, 1]
                coef.append(model.coef_[0].tolist())
                intercept.append(float(model.intercept_[0]))
                fitted.append(c)
            out.update(coef=coef, intercept=intercept, fitted=fitted)
        out["predictions"] = predicted.tolist()
        out["scores"] = scores.tolist()
        out["metrics"] = multi_label_metrics(y_test, predicted, scores)
        if "ours" in case:
            ours = np.asarray(case["ours"]["predictions"], dtype=int)
            our_scores = np.asarray(case["ours"]["scores"], dtype=float)
            out["metrics_of_ours"] = multi_label_metrics(y_test, ours, our_scores)
    else:
        y = np.asarray([row[0] for row in labels], dtype=int)
        y_train, y_test = y[train], y[test]
        present = np.unique(y_train)
        if probe == "knn":
            model = KNeighborsClassifier(n_neighbors=min(5, len(train)), metric="cosine").fit(x_train, y_train)
            predicted = model.predict(x_test)
        elif len(present) == 1:
            predicted = np.full(len(test), present[0])
            out.update(coef=[], intercept=[], fitted=present.tolist())
        else:
            model = logreg(x_train, y_train, x_test, case["C"])
            predicted = model.predict(x_test)
            out.update(coef=model.coef_.tolist(), intercept=model.intercept_.tolist(), fitted=model.classes_.tolist(),
                       n_iter=int(model.n_iter_[0]))
        out["predictions"] = predicted.tolist()
        out["metrics"] = single_label_metrics(y_test, predicted)
        if "ours" in case:
            out["metrics_of_ours"] = single_label_metrics(y_test, np.asarray(case["ours"]["predictions"], dtype=int))
    return out


def run_folder(case_dir):
    case_dir = Path(case_dir)
    spec = json.loads((case_dir / "case.json").read_text())
    X = np.load(case_dir / "embeddings.npy").astype(np.float64)
    multi_label = spec["label_kind"] == "multi-label"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"cases": [run_case(case, X, spec["labels"], spec["classes"], multi_label) for case in spec["cases"]]}


if __name__ == "__main__":
    json.dump({"results": [run_folder(folder) for folder in sys.argv[1:]]}, sys.stdout)
