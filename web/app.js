// The page: a drawing pad, preprocessing (preprocess.js), the 07 CNN in ONNX Runtime Web, and
// the answer with the probability of each digit. Everything is loaded from this folder.
"use strict";

const pad = document.getElementById("pad");
const pen = pad.getContext("2d", { willReadFrequently: true });
const status = document.getElementById("status");
const answer = document.getElementById("answer");
const bars = document.getElementById("probabilities");
const STROKE = 18; // pen width in canvas pixels: about MNIST's stroke once scaled to 20 x 20

ort.env.wasm.wasmPaths = "./"; // ONNX Runtime's WebAssembly files sit next to the page
ort.env.wasm.numThreads = 1; // threads need cross-origin isolation, which a plain server lacks
let session = null;

function clearPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
  answer.textContent = "";
  bars.replaceChildren();
}

// Pointer position in canvas pixels (the canvas is drawn smaller than 280 px on a phone).
function point(event) {
  const box = pad.getBoundingClientRect();
  return [((event.clientX - box.left) * pad.width) / box.width,
    ((event.clientY - box.top) * pad.height) / box.height];
}

let drawing = false;
pad.addEventListener("pointerdown", (event) => {
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  pen.lineWidth = STROKE;
  pen.lineCap = pen.lineJoin = "round";
  pen.strokeStyle = "#000";
  pen.beginPath();
  pen.moveTo(...point(event));
  pen.lineTo(...point(event));
  pen.stroke();
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  pen.lineTo(...point(event));
  pen.stroke();
});
for (const name of ["pointerup", "pointercancel"])
  pad.addEventListener(name, () => {
    if (!drawing) return;
    drawing = false;
    recognise();
  });
document.getElementById("clear").addEventListener("click", clearPad);

// Grey levels of the canvas in [0, 1], as digitrec.decode.load_grey computes them (ITU-R 601).
function greyLevels() {
  const { data } = pen.getImageData(0, 0, pad.width, pad.height);
  const grey = new Float64Array(pad.width * pad.height);
  for (let i = 0; i < grey.length; i++)
    grey[i] = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255;
  return grey;
}

function show(probabilities) {
  const digit = probabilities.indexOf(Math.max(...probabilities));
  answer.textContent = `${digit} (${(100 * probabilities[digit]).toFixed(1)} %)`;
  bars.replaceChildren(...probabilities.map((p, d) => {
    const item = document.createElement("li");
    item.innerHTML = `<span class="digit">${d}</span><span class="bar" style="width:${(200 * p).toFixed(1)}px"></span>${(100 * p).toFixed(1)} %`;
    return item;
  }));
}

async function recognise() {
  if (!session) return;
  let image;
  try {
    image = digitrecPreprocess.toMnist(greyLevels(), pad.height, pad.width);
  } catch (error) {
    answer.textContent = "Draw a digit first.";
    return;
  }
  window.lastImage = image; // what the network saw (the tests compare it with Python's)
  const input = new ort.Tensor("float32", image, [1, 28, 28, 1]);
  const outputs = await session.run({ [session.inputNames[0]]: input });
  show(Array.from(outputs[session.outputNames[0]].data));
}

async function start() {
  clearPad();
  try {
    session = await ort.InferenceSession.create("07_cnn.onnx", { executionProviders: ["wasm"] });
    status.textContent = "Ready: draw a digit with your mouse or finger.";
    document.body.dataset.ready = "true";
  } catch (error) {
    status.textContent = `The model could not be loaded: ${error.message}`;
  }
}
start();
