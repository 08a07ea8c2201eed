"""Golden files of the adapters tests (test/fixtures/adapters/), made with onnx + numpy.

  tiny-image.onnx    a 10-band "image tower": input "image" float32 [batch,10,8,8],
                     output "image_features" float32 [batch,4] = a patch-sized Conv
                     (one patch per image) plus bias, the same contract as a bundle's
                     image.onnx, a few KB.
  tiny-image.json    two seeded inputs and the outputs numpy computes for them (the
                     reference: a conv over one whole-image patch is a dot product).

Run: .venv/bin/python scripts/golden/adapters.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "adapters")
BANDS, SIZE, FEATURES = 10, 8, 4


def main() -> None:
    rng = np.random.default_rng(20240601)
    weight = rng.standard_normal((FEATURES, BANDS, SIZE, SIZE)).astype(np.float32) * 0.1
    bias = rng.standard_normal(FEATURES).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["image", "weight", "bias"], ["patches"], kernel_shape=[SIZE, SIZE], strides=[SIZE, SIZE]),
            helper.make_node("Flatten", ["patches"], ["image_features"], axis=1),
        ],
        "tiny_image_tower",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", BANDS, SIZE, SIZE])],
        [helper.make_tensor_value_info("image_features", TensorProto.FLOAT, ["batch", FEATURES])],
        [numpy_helper.from_array(weight, "weight"), numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="msclip-bench scripts/golden/adapters.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(OUT, exist_ok=True)
    onnx.save(model, os.path.join(OUT, "tiny-image.onnx"))

    inputs = rng.standard_normal((2, BANDS, SIZE, SIZE)).astype(np.float32)
    outputs = np.einsum("nchw,fchw->nf", inputs.astype(np.float64), weight.astype(np.float64)) + bias
    with open(os.path.join(OUT, "tiny-image.json"), "w", encoding="utf8") as handle:
        json.dump({"dims": list(inputs.shape), "image": inputs.ravel().tolist(), "features": outputs.ravel().tolist()}, handle)
        handle.write("\n")


if __name__ == "__main__":
    main()
