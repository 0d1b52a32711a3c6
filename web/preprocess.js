// The canvas drawing -> a 28 x 28 image like MNIST's: a JavaScript port of digitrec.to_mnist
// (digitrec/preprocess.py), step by step, with the same constants, so that the network sees in
// the page what it sees in Python. tests/test_web_preprocess.py checks that both give the same
// image (within a small tolerance) and the same digit for the same strokes. At the end,
// toStrip ports digitrec.strips.to_strip, the CTC reader's input for a drawn number.
//
// Input: grey levels of the canvas, a Float64Array of height * width values in [0, 1] (0 black,
// 1 white), row by row. Output: a Float32Array of 28 * 28 values in [0, 1], white ink on black.
// The steps (each a function below, named after its Python twin):
//   inkOnBlack     ink white on black, paper level removed, strongest ink 1
//   binarise       solid ink (> 0.5) without specks, with the faint ink (> 0.2) touching it kept
//                  as grey levels, cut with a margin, brought to 80-320 px
//   cropToInk      cut to the ink, strokes thinner than MNIST's thickened
//   scaleIntoBox   longer side 20 px, Lanczos filter (Pillow's, for the same grey edges)
//   centreByMass   pasted into 28 x 28, centre of mass moved to (14, 14)
(function (root) {
  "use strict";

  const BOX_SIZE = 20, IMAGE_SIZE = 28, MIN_INK_CONTRAST = 0.2, SPECK_FRACTION = 0.02;
  const CROP_MARGIN = 0.05, WORK_MIN = 80, WORK_MAX = 320;
  const TARGET_STROKE = 2.7, MIN_STROKE = 2.0, MNIST_CENTRE = 14.0;
  const FAINT_INK = 0.2, SOLID_INK = 0.5;

  // An image: {h, w, data} with data[row * w + col].
  const image = (h, w, data) => ({ h, w, data: data || new Float64Array(h * w) });

  // Python's round(): halves go to the even neighbour (round(2.5) == 2).
  function pyRound(x) {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  }

  function median(values) {
    const s = Float64Array.from(values).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  // The border ring, 2 % of the shorter side wide (>= 1 px): where the paper is.
  function ringIndices(h, w) {
    const edge = Math.max(1, pyRound(0.02 * Math.min(h, w))), out = [];
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++)
        if (r < edge || r >= h - edge || c < edge || c >= w - edge) out.push(r * w + c);
    return out;
  }

  // Least-squares plane a + b*row/h + c*col/w through the ring (normal equations, 3 x 3).
  function backgroundPlane(img, ring) {
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], y = [0, 0, 0];
    for (const i of ring) {
      const f = [1, Math.floor(i / img.w) / img.h, (i % img.w) / img.w];
      for (let j = 0; j < 3; j++) {
        y[j] += f[j] * img.data[i];
        for (let k = 0; k < 3; k++) A[j][k] += f[j] * f[k];
      }
    }
    const det = (m) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
      m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    const d = det(A); // Cramer's rule: coefficient j = det(A with column j replaced by y) / det(A)
    return [0, 1, 2].map((j) => det(A.map((row, r) => row.map((v, k) => (k === j ? y[r] : v)))) / d);
  }

  function inkOnBlack(grey) {
    const ring = ringIndices(grey.h, grey.w);
    const light = median(ring.map((i) => grey.data[i])) > 0.5; // light paper: dark ink, invert
    const ink = image(grey.h, grey.w, grey.data.map((v) => (light ? 1 - v : v)));
    const [a, b, c] = backgroundPlane(ink, ring);
    let contrast = 0;
    for (let i = 0; i < ink.data.length; i++) {
      const plane = a + (b * Math.floor(i / ink.w)) / ink.h + (c * (i % ink.w)) / ink.w;
      ink.data[i] = Math.max(0, ink.data[i] - plane);
      contrast = Math.max(contrast, ink.data[i]);
    }
    if (contrast < MIN_INK_CONTRAST) throw new Error("no digit found: the canvas is blank");
    ink.data = ink.data.map((v) => Math.min(1, v / contrast));
    return ink;
  }

  // 4-connected components (scipy.ndimage.label): a label per pixel (0: none) and each size.
  function label(mask) {
    const labels = new Int32Array(mask.data.length), sizes = [0];
    for (let start = 0; start < labels.length; start++) {
      if (!mask.data[start] || labels[start]) continue;
      const id = sizes.length, stack = [start];
      labels[start] = id;
      let size = 0;
      while (stack.length) {
        const i = stack.pop(), r = Math.floor(i / mask.w), c = i % mask.w;
        size++;
        for (const [rr, cc] of [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]]) {
          const j = rr * mask.w + cc;
          if (rr >= 0 && rr < mask.h && cc >= 0 && cc < mask.w && mask.data[j] && !labels[j]) {
            labels[j] = id;
            stack.push(j);
          }
        }
      }
      sizes.push(size);
    }
    return { labels, sizes };
  }

  // Drop the blobs smaller than SPECK_FRACTION of the largest.
  function removeSpecks(mask) {
    const { labels, sizes } = label(mask);
    const largest = Math.max(0, ...sizes);
    return image(mask.h, mask.w, labels.map((l) => (l && sizes[l] >= SPECK_FRACTION * largest ? 1 : 0)));
  }

  // [top, bottom, left, right) of the ink.
  function boundingBox(mask) {
    let top = mask.h, bottom = -1, left = mask.w, right = -1;
    for (let i = 0; i < mask.data.length; i++) {
      if (!mask.data[i]) continue;
      const r = Math.floor(i / mask.w), c = i % mask.w;
      top = Math.min(top, r); bottom = Math.max(bottom, r);
      left = Math.min(left, c); right = Math.max(right, c);
    }
    if (bottom < 0) throw new Error("no digit found: the canvas is blank");
    return [top, bottom + 1, left, right + 1];
  }

  function cut(img, [top, bottom, left, right]) {
    const out = image(bottom - top, right - left);
    for (let r = top; r < bottom; r++)
      for (let c = left; c < right; c++) out.data[(r - top) * out.w + c - left] = img.data[r * img.w + c];
    return out;
  }

  const threshold = (img, t) => image(img.h, img.w, img.data.map((v) => (v > t ? 1 : 0)));

  // Grey dilation by a disk (scipy's grey_dilation, footprint: Euclidean distance <= radius):
  // every pixel takes the strongest level within the radius.
  function greyDilate(img, radius) {
    const out = image(img.h, img.w), reach = Math.ceil(radius);
    for (let r = 0; r < img.h; r++)
      for (let c = 0; c < img.w; c++) {
        let best = 0;
        for (let dr = -reach; dr <= reach; dr++)
          for (let dc = -reach; dc <= reach; dc++) {
            const rr = r + dr, cc = c + dc;
            if (Math.hypot(dr, dc) <= radius && rr >= 0 && rr < img.h && cc >= 0 && cc < img.w)
              best = Math.max(best, img.data[rr * img.w + cc]);
          }
        out.data[r * img.w + c] = best;
      }
    return out;
  }

  // Stroke levels (preprocess.strokes): 0 up to FAINT_INK, 1 from SOLID_INK, linear between.
  const strokes = (v) => Math.min(1, Math.max(0, (v - FAINT_INK) / (SOLID_INK - FAINT_INK)));
  const clip01 = (v) => Math.min(1, Math.max(0, v));

  function binarise(ink) {
    const solid = removeSpecks(threshold(ink, SOLID_INK));
    boundingBox(solid); // no solid ink: the canvas is blank
    const { labels } = label(threshold(ink, FAINT_INK)), touching = new Set();
    solid.data.forEach((v, i) => v && touching.add(labels[i]));
    const kept = image(ink.h, ink.w, labels.map((l) => (touching.has(l) ? 1 : 0)));
    const [top, bottom, left, right] = boundingBox(kept);
    const margin = Math.max(1, pyRound(CROP_MARGIN * Math.max(bottom - top, right - left)));
    const win = [Math.max(0, top - margin), Math.min(ink.h, bottom + margin),
      Math.max(0, left - margin), Math.min(ink.w, right + margin)];
    const crop = cut(image(ink.h, ink.w, ink.data.map((v, i) => (kept.data[i] ? strokes(v) : 0))), win);
    const longSide = Math.max(crop.h, crop.w);
    if (longSide < WORK_MIN) {
      const factor = WORK_MIN / longSide; // enlarged (bicubic) from the stroke levels
      const big = resize(crop, Math.max(1, pyRound(crop.w * factor)), Math.max(1, pyRound(crop.h * factor)), BICUBIC);
      big.data = big.data.map(clip01);
      return big;
    }
    if (longSide > WORK_MAX) return blockMax(crop, Math.ceil(longSide / WORK_MAX));
    return crop;
  }

  // Reduce by a whole factor, keeping the strongest level of each block.
  function blockMax(levels, f) {
    const out = image(Math.ceil(levels.h / f), Math.ceil(levels.w / f));
    for (let i = 0; i < levels.data.length; i++) {
      const j = Math.floor(Math.floor(i / levels.w) / f) * out.w + Math.floor((i % levels.w) / f);
      out.data[j] = Math.max(out.data[j], levels.data[i]);
    }
    return out;
  }

  // Mean stroke width: 2 * area / edge pixels (edge: ink with a 4-neighbour that is not ink).
  function strokeWidth(mask) {
    let area = 0, edge = 0;
    const at = (r, c) => r >= 0 && r < mask.h && c >= 0 && c < mask.w && mask.data[r * mask.w + c];
    for (let r = 0; r < mask.h; r++)
      for (let c = 0; c < mask.w; c++) {
        if (!at(r, c)) continue;
        area++;
        if (!(at(r - 1, c) && at(r + 1, c) && at(r, c - 1) && at(r, c + 1))) edge++;
      }
    return area ? (2 * area) / Math.max(edge, 1) : 0;
  }

  // preprocess.thicken: strokes thinner than MNIST's once scaled by `scale` are grey-dilated,
  // on the image padded so that no stroke is cut; thick enough strokes come back as they are.
  function thicken(levels, scale) {
    const width = strokeWidth(threshold(levels, 0.5));
    if (width * scale >= MIN_STROKE) return levels;
    const radius = (TARGET_STROKE / scale - width) / 2, pad = Math.ceil(radius) + 1;
    const padded = image(levels.h + 2 * pad, levels.w + 2 * pad);
    for (let i = 0; i < levels.data.length; i++)
      padded.data[(Math.floor(i / levels.w) + pad) * padded.w + (i % levels.w) + pad] = levels.data[i];
    return greyDilate(padded, radius);
  }

  function cropToInk(bilevel) {
    const levels = cut(bilevel, boundingBox(bilevel));
    const thick = thicken(levels, BOX_SIZE / Math.max(levels.h, levels.w));
    return thick === levels ? levels : cut(thick, boundingBox(thick));
  }

  // Pillow's resampling filters (src/libImaging/Resample.c): Lanczos a = 3, bicubic a = -0.5.
  const sinc = (x) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
  const LANCZOS = { support: 3, f: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) };
  const BILINEAR = { support: 1, f: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) };
  const BICUBIC = {
    support: 2,
    f: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      return x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
    },
  };

  // Pillow's precompute_coeffs: for each output pixel, the first source pixel and the weights.
  function coefficients(inSize, outSize, filter) {
    const scale = inSize / outSize, filterScale = Math.max(scale, 1);
    const support = filter.support * filterScale, out = [];
    for (let xx = 0; xx < outSize; xx++) {
      const centre = (xx + 0.5) * scale;
      const xmin = Math.max(Math.trunc(centre - support + 0.5), 0);
      const xmax = Math.min(Math.trunc(centre + support + 0.5), inSize);
      const k = [];
      for (let x = xmin; x < xmax; x++) k.push(filter.f((x - centre + 0.5) / filterScale));
      const total = k.reduce((s, v) => s + v, 0);
      out.push({ xmin, k: total !== 0 ? k.map((v) => v / total) : k });
    }
    return out;
  }

  // Pillow's two-pass resize of a float ("F") image: rows first, then columns, float32 between.
  function resize(img, width, height, filter) {
    const horizontal = coefficients(img.w, width, filter), vertical = coefficients(img.h, height, filter);
    const tmp = image(img.h, width, new Float32Array(img.h * width));
    for (let r = 0; r < img.h; r++)
      horizontal.forEach(({ xmin, k }, c) => {
        let s = 0;
        k.forEach((w, j) => (s += img.data[r * img.w + xmin + j] * w));
        tmp.data[r * width + c] = s;
      });
    const out = image(height, width, new Float32Array(height * width));
    vertical.forEach(({ xmin, k }, r) => {
      for (let c = 0; c < width; c++) {
        let s = 0;
        k.forEach((w, j) => (s += tmp.data[(xmin + j) * width + c] * w));
        out.data[r * width + c] = s;
      }
    });
    return out;
  }

  function scaleIntoBox(cropped) {
    const scale = BOX_SIZE / Math.max(cropped.h, cropped.w);
    const h = Math.max(1, pyRound(cropped.h * scale)), w = Math.max(1, pyRound(cropped.w * scale));
    const box = resize(cropped, w, h, LANCZOS);
    box.data = box.data.map((v) => Math.min(1, Math.max(0, v)));
    return box;
  }

  function centreByMass(box) {
    const top = (IMAGE_SIZE - box.h) >> 1, left = (IMAGE_SIZE - box.w) >> 1;
    let mass = 0, rowSum = 0, colSum = 0;
    box.data.forEach((v, i) => {
      mass += v;
      rowSum += v * (Math.floor(i / box.w) + top);
      colSum += v * ((i % box.w) + left);
    });
    const dr = pyRound(MNIST_CENTRE - rowSum / mass), dc = pyRound(MNIST_CENTRE - colSum / mass);
    const out = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
    box.data.forEach((v, i) => {
      const r = Math.floor(i / box.w) + top + dr, c = (i % box.w) + left + dc;
      if (r >= 0 && r < IMAGE_SIZE && c >= 0 && c < IMAGE_SIZE) out[r * IMAGE_SIZE + c] = v;
    });
    return out;
  }

  /** grey: Float64Array (height * width) in [0, 1] -> Float32Array (28 * 28), white ink on black. */
  function toMnist(grey, height, width) {
    const ink = inkOnBlack(image(height, width, Float64Array.from(grey)));
    return centreByMass(scaleIntoBox(cropToInk(binarise(ink))));
  }

  // A number -> the CTC reader's strip: a port of digitrec.strips.to_strip. The ink (over
  // INK_LEVEL, specks dropped) cut out, reduced by a maximum filter to at most WORK_HEIGHT rows,
  // thin strokes thickened, scaled (bilinear) to INK_HEIGHT rows, with blank rows above and below
  // and SIDE_MARGIN blank columns left and right; the width rounded up to WIDTH_STEP columns, as
  // strips.pad_batch does for a batch of one.
  const STRIP_HEIGHT = 28, INK_HEIGHT = 20, SIDE_MARGIN = 8, INK_LEVEL = 0.35, WORK_HEIGHT = 80;
  const MIN_WIDTH = 32, WIDTH_STEP = 4;

  function inkAtWorkSize(ink) {
    const crop = cut(ink, boundingBox(removeSpecks(threshold(ink, INK_LEVEL))));
    const factor = Math.max(1, Math.floor(crop.h / WORK_HEIGHT));
    const reduced = factor > 1 ? blockMax(crop, factor) : crop;
    const thick = thicken(reduced, INK_HEIGHT / reduced.h);
    return cut(thick, boundingBox(threshold(thick, INK_LEVEL)));
  }

  /** grey: Float64Array (height * width) in [0, 1] -> {data: Float32Array (28 * w), h: 28, w}. */
  function toStrip(grey, height, width) {
    const thick = inkAtWorkSize(inkOnBlack(image(height, width, Float64Array.from(grey))));
    const inkWidth = Math.max(1, pyRound((thick.w * INK_HEIGHT) / thick.h));
    const small = resize(thick, inkWidth, INK_HEIGHT, BILINEAR);
    const used = Math.max(inkWidth + 2 * SIDE_MARGIN, MIN_WIDTH);
    const w = Math.ceil(used / WIDTH_STEP) * WIDTH_STEP, top = (STRIP_HEIGHT - INK_HEIGHT) >> 1;
    const data = new Float32Array(STRIP_HEIGHT * w);
    small.data.forEach((v, i) => {
      data[(Math.floor(i / inkWidth) + top) * w + (i % inkWidth) + SIDE_MARGIN] = clip01(v);
    });
    return { data, h: STRIP_HEIGHT, w };
  }

  const api = { toMnist, toStrip, IMAGE_SIZE, STRIP_HEIGHT };
  if (typeof module !== "undefined" && module.exports) module.exports = api; // node (the tests)
  else root.digitrecPreprocess = api; // the page
})(typeof self !== "undefined" ? self : this);
