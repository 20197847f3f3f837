#!/usr/bin/env python3
"""ONNX Runtime side of `diffuse bench unet|vae|text-encoder|pipeline --baseline onnxruntime` (issue #21):
the same grid, models, weights and inputs as Scripts/bench_torch_models.py, each torch module exported
once per shape with `torch.onnx.export` and run by ONNX Runtime's CPU execution provider.

    <venv>/bin/python -m pip install onnxruntime onnx onnxscript
    <venv>/bin/python Scripts/bench_onnxruntime.py unet --arch sd15 --size 256 --batch 2 --attention sdpa > ort.jsonl

How it runs: as Scripts/bench_openvino.py (whose driver, `run_graph_baseline`, this script uses): the
diffusers module with the --attention processor is exported at static shapes (`torch.onnx.export`,
PyTorch's default exporter, weights as external data: the f32 UNet is over protobuf's 2 GB) to a
temporary folder removed at exit, in a child process; each cell opens an InferenceSession with
intra_op_num_threads = --threads, inter_op_num_threads 1, sequential execution and
GraphOptimizationLevel.ORT_ENABLE_ALL on CPUExecutionProvider, calls it --warmup times, then --repeats
timed calls (the median is reported). Export and session-creation times are reported apart
(convert_seconds, load_seconds, compile_seconds = their sum). f32 only: bf16 / f16 cells are "error"
rows that say so. JSON lines as the PyTorch script's (source "onnxruntime") plus version.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_openvino import GraphEngine, run_graph_baseline  # noqa: E402 — after the path


class OnnxRuntimeEngine(GraphEngine):
    """torch.onnx.export at static shapes → ONNX with external data; CPUExecutionProvider, ORT_ENABLE_ALL."""
    source = "onnxruntime"
    title = "ONNX Runtime"
    modules = ("onnxruntime", "onnx", "onnxscript")
    pip = "onnxruntime onnx onnxscript"
    suffix = ".onnx"

    def version(self):
        import onnxruntime
        return "onnxruntime " + onnxruntime.__version__

    def precision_refusal(self, precision):
        if precision == "f32":
            return None
        return (f"the ONNX Runtime baseline runs f32 graphs only (its CPU provider has no {precision} "
                "kernels for these models); use --precision f32")

    def convert(self, module, example, names, path):
        import torch
        torch.onnx.export(module, example, path, input_names=names, external_data=True)

    def load(self, path, names, precision, threads):
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        exported = {i.name for i in session.get_inputs()}   # the exporter drops inputs the graph does not use

        def run(feeds):
            return session.run(None, {n: v for n, v in zip(names, feeds) if n in exported})
        return run


if __name__ == "__main__":
    sys.exit(run_graph_baseline(OnnxRuntimeEngine(), __doc__))
