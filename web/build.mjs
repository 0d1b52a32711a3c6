// Build the demo into web/dist/: the page, its scripts, the ONNX models that notebooks 11 and 12
// save (model/07_cnn.onnx, model/12_ctc.onnx) and ONNX Runtime Web's files from node_modules (npm ci first). Nothing is
// fetched from another host when the page runs: everything it loads is in dist/.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const ort = join(here, "node_modules", "onnxruntime-web", "dist");
const files = [
  [join(here, "index.html"), "index.html"],
  [join(here, "app.js"), "app.js"],
  [join(here, "preprocess.js"), "preprocess.js"],
  [join(here, "..", "model", "07_cnn.onnx"), "07_cnn.onnx"],
  [join(here, "..", "model", "12_ctc.onnx"), "12_ctc.onnx"],
  // ONNX Runtime Web, WebAssembly backend only: the script, its module and its binary.
  [join(ort, "ort.wasm.min.js"), "ort.wasm.min.js"],
  [join(ort, "ort-wasm-simd-threaded.mjs"), "ort-wasm-simd-threaded.mjs"],
  [join(ort, "ort-wasm-simd-threaded.wasm"), "ort-wasm-simd-threaded.wasm"],
];
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
for (const [source, name] of files) copyFileSync(source, join(dist, name));
console.log(`built ${files.length} files into ${dist}`);
