/**
 * Imported by adapters/onnx.ts before onnxruntime-node itself: ONNX Runtime's native
 * library starts a telemetry client on load (it keeps a device id and an event queue
 * naming model files under ~/.cache/Microsoft/DeveloperTools/ and uploads them). A
 * benchmark never phones home, so it is switched off through the variable the library
 * reads (ORT_DISABLE_TELEMETRY), before the library is loaded.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';
