// The page: two drawing pads, preprocessing (preprocess.js) and two networks in ONNX Runtime
// Web. The digit pad goes to the 07 CNN, which answers with the probability of each digit; the
// number pad goes to notebook 12's CTC reader, read by greedy decoding. Everything is loaded
// from this folder.
"use strict";

const status = document.getElementById("status");
const STROKE = 18; // pen width in canvas pixels: about MNIST's stroke once scaled to 20 x 20
const BLANK = 0; // the CTC reader's class for "no digit here"; digit d is class d + 1

ort.env.wasm.wasmPaths = "./"; // ONNX Runtime's WebAssembly files sit next to the page
ort.env.wasm.numThreads = 1; // threads need cross-origin isolation, which a plain server lacks
const sessions = {};

// A pad: a canvas drawn on with the mouse or a finger; `done` runs when a stroke ends.
function makePad(canvas, clearButton, onClear, done) {
  const pen = canvas.getContext("2d", { willReadFrequently: true });
  const clear = () => {
    pen.fillStyle = "#fff";
    pen.fillRect(0, 0, canvas.width, canvas.height);
    onClear();
  };
  // Pointer position in canvas pixels (the canvas is drawn smaller on a phone).
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height];
  };
  let drawing = false;
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    Object.assign(pen, { lineWidth: STROKE, lineCap: "round", lineJoin: "round", strokeStyle: "#000" });
    pen.beginPath();
    pen.moveTo(...point(event));
    pen.lineTo(...point(event));
    pen.stroke();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...point(event));
    pen.stroke();
  });
  for (const name of ["pointerup", "pointercancel"])
    canvas.addEventListener(name, () => {
      if (!drawing) return;
      drawing = false;
      done();
    });
  clearButton.addEventListener("click", clear);
  clear();
  return pen;
}

// Grey levels of a canvas in [0, 1], as digitrec.decode.load_grey computes them (ITU-R 601).
function greyLevels(pen = digitPen) {
  const { width, height } = pen.canvas;
  const { data } = pen.getImageData(0, 0, width, height);
  const grey = new Float64Array(width * height);
  for (let i = 0; i < grey.length; i++)
    grey[i] = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) / 255;
  return grey;
}

const answer = document.getElementById("answer");
const bars = document.getElementById("probabilities");
const digitPen = makePad(document.getElementById("pad"), document.getElementById("clear"), () => {
  answer.textContent = "";
  bars.replaceChildren();
}, recognise);

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
  if (!sessions.digit) return;
  let image;
  try {
    image = digitrecPreprocess.toMnist(greyLevels(digitPen), 280, 280);
  } catch (error) {
    answer.textContent = "Draw a digit first.";
    return;
  }
  window.lastImage = image; // what the network saw (the tests compare it with Python's)
  const input = new ort.Tensor("float32", image, [1, 28, 28, 1]);
  const outputs = await sessions.digit.run({ [sessions.digit.inputNames[0]]: input });
  show(Array.from(outputs[sessions.digit.outputNames[0]].data));
}

const numberAnswer = document.getElementById("number-answer");
const numberPen = makePad(document.getElementById("number-pad"),
  document.getElementById("clear-number"), () => (numberAnswer.textContent = ""), readNumber);

// Greedy CTC decoding (digitrec.ctc.collapse): the best class of each frame, repeats merged,
// blanks dropped. logits: Float32Array of frames * 11. Returns [{digit, probability}] per digit,
// the probability being the softmax of its most confident frame over the 10 digits.
function greedyDecode(logits, frames) {
  const digits = [];
  let previous = BLANK;
  for (let t = 0; t < frames; t++) {
    const row = Array.from(logits.subarray(11 * t, 11 * t + 11));
    const best = row.indexOf(Math.max(...row));
    const exp = row.slice(1).map((v) => Math.exp(v - Math.max(...row.slice(1))));
    const probability = Math.max(...exp) / exp.reduce((s, v) => s + v, 0);
    if (best !== BLANK && best !== previous) digits.push({ digit: best - 1, probability });
    else if (best !== BLANK) digits.at(-1).probability = Math.max(digits.at(-1).probability, probability);
    previous = best;
  }
  return digits;
}

async function readNumber() {
  if (!sessions.number) return;
  const { width, height } = numberPen.canvas;
  let strip;
  try {
    strip = digitrecPreprocess.toStrip(greyLevels(numberPen), height, width);
  } catch (error) {
    numberAnswer.textContent = "Write a number first.";
    return;
  }
  window.lastStrip = strip; // what the reader saw (the tests compare it with Python's)
  const input = new ort.Tensor("float32", strip.data, [1, strip.h, strip.w, 1]);
  const outputs = await sessions.number.run({ [sessions.number.inputNames[0]]: input });
  const logits = outputs[sessions.number.outputNames[0]];
  const digits = greedyDecode(logits.data, logits.dims[1]);
  const text = digits.map((d) => d.digit).join("");
  const least = Math.min(...digits.map((d) => d.probability));
  numberAnswer.textContent = digits.length
    ? `${text} (${digits.length} digit${digits.length > 1 ? "s" : ""}, least sure ${(100 * least).toFixed(1)} %)`
    : "No digit read: write larger or darker.";
}

async function start() {
  try {
    const options = { executionProviders: ["wasm"] };
    sessions.digit = await ort.InferenceSession.create("07_cnn.onnx", options);
    sessions.number = await ort.InferenceSession.create("12_ctc.onnx", options);
    status.textContent = "Ready: draw with your mouse or finger.";
    document.body.dataset.ready = "true";
  } catch (error) {
    status.textContent = `The models could not be loaded: ${error.message}`;
  }
}
start();
