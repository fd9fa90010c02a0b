// nn-play's page: it draws, sends the drawing to the server, and paints what comes back.
// Every number shown is computed in Rust (POST /api/predict); nothing here does the network's
// math, only colours and sizes.
"use strict";

const pad = document.getElementById("pad");
const padContext = pad.getContext("2d");
const slider = document.getElementById("temperature");
const status = document.getElementById("status");

// The drawing area: 280 x 280 pixels as the page lays it out, twice that on a sharp screen.
const PAD_SIDE = 280;
const scale = Math.min(window.devicePixelRatio || 1, 2);
pad.width = pad.height = Math.round(PAD_SIDE * scale);
const BRUSH = 24; // in layout pixels: MNIST's stroke width for a digit drawn across the box

let hasStrokes = false;
let drawing = null; // the pointer drawing now: {id, x, y}

function clearPad() {
  padContext.setTransform(1, 0, 0, 1, 0, 0);
  padContext.fillStyle = "#fff";
  padContext.fillRect(0, 0, pad.width, pad.height);
  padContext.setTransform(pad.width / PAD_SIDE, 0, 0, pad.height / PAD_SIDE, 0, 0);
  padContext.lineCap = "round";
  padContext.lineJoin = "round";
  padContext.strokeStyle = "#111";
  padContext.fillStyle = "#111";
  padContext.lineWidth = BRUSH;
  hasStrokes = false;
}

function padPoint(event) {
  const box = pad.getBoundingClientRect();
  return {
    x: ((event.clientX - box.left) / box.width) * PAD_SIDE,
    y: ((event.clientY - box.top) / box.height) * PAD_SIDE,
  };
}

pad.addEventListener("pointerdown", (event) => {
  if (drawing) return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  const p = padPoint(event);
  drawing = { id: event.pointerId, ...p };
  padContext.beginPath();
  padContext.arc(p.x, p.y, BRUSH / 2, 0, 2 * Math.PI);
  padContext.fill();
  hasStrokes = true;
  requestPrediction();
});

pad.addEventListener("pointermove", (event) => {
  if (!drawing || event.pointerId !== drawing.id) return;
  event.preventDefault();
  // Coalesced events: every point the pointer passed, not just one per frame.
  const points = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  padContext.beginPath();
  padContext.moveTo(drawing.x, drawing.y);
  for (const e of points.length ? points : [event]) {
    const p = padPoint(e);
    padContext.lineTo(p.x, p.y);
    drawing.x = p.x;
    drawing.y = p.y;
  }
  padContext.stroke();
  requestPrediction();
});

// Lifting the pen adds no ink: the last move already asked for the drawing as it is.
function endStroke(event) {
  if (!drawing || event.pointerId !== drawing.id) return;
  drawing = null;
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

document.getElementById("clear").addEventListener("click", () => {
  clearPad();
  showNothing();
});

// Temperature: the slider is log10(T), so 1 sits in the middle and 0.1 and 10 at equal distances.
function temperature() {
  return Math.pow(10, Number(slider.value));
}
function showTemperature() {
  document.getElementById("temperature-value").textContent = "T = " + temperature().toFixed(2);
}
slider.addEventListener("input", () => {
  showTemperature();
  if (hasStrokes) requestPrediction();
});
document.getElementById("temperature-reset").addEventListener("click", () => {
  slider.value = "0";
  showTemperature();
  if (hasStrokes) requestPrediction();
});

// One request at a time: while one is on its way, later changes only mark the drawing as
// changed, and the newest drawing is sent when the answer arrives. Fast machines update on
// every stroke; a busy one skips the drawings it could not keep up with.
let inFlight = false;
let changed = false;

function setBusy(busy) {
  inFlight = busy;
  document.body.dataset.busy = busy ? "yes" : "no";
}

function requestPrediction() {
  if (inFlight) {
    changed = true;
    return;
  }
  setBusy(true);
  changed = false;
  const sentTemperature = temperature();
  pad.toBlob(async (png) => {
    try {
      const response = await fetch("/api/predict?temperature=" + sentTemperature, {
        method: "POST",
        headers: { "Content-Type": "image/png" },
        body: png,
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      status.textContent = "";
      if (hasStrokes) show(body);
    } catch (error) {
      status.textContent = "No answer from nn-play (" + error.message + "). Is it still running?";
    } finally {
      setBusy(false);
      if (changed) requestPrediction();
    }
  }, "image/png");
}

// --- Painting what came back ------------------------------------------------------------

const bars = document.getElementById("bars");
const barRows = [];
for (let digit = 0; digit < 10; digit++) {
  const li = document.createElement("li");
  li.innerHTML = `<span>${digit}</span><span class="track"><span class="fill"></span></span><span class="value">–</span>`;
  bars.appendChild(li);
  barRows.push({ li, fill: li.querySelector(".fill"), value: li.querySelector(".value") });
}

function paintPixels(canvas, values, colour) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(canvas.width, canvas.height);
  values.forEach((v, i) => {
    const [r, g, b] = colour(v);
    image.data.set([r, g, b, 255], 4 * i);
  });
  context.putImageData(image, 0, 0);
}

// Signed values as colours on white: orange for positive, blue for negative, the strongest
// at full colour.
function diverging(values) {
  const largest = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const towards = [232, 89, 12];
  const against = [28, 126, 214];
  return (v) => {
    const t = Math.min(Math.abs(v) / largest, 1);
    const [r, g, b] = v >= 0 ? towards : against;
    return [255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t];
  };
}

// A grid about twice as wide as tall, full rows when the width allows: 128 units are 16 x 8.
function gridColumns(units) {
  if (units <= 2) return units;
  const ideal = Math.sqrt(2 * units);
  for (let columns = Math.ceil(ideal); columns <= Math.ceil(1.5 * ideal); columns++) {
    if (units % columns === 0) return columns;
  }
  return Math.ceil(ideal);
}

function paintHidden(layers) {
  const holder = document.getElementById("hidden");
  if (holder.children.length !== 2 * layers.length) {
    holder.textContent = "";
    layers.forEach((units, l) => {
      const label = document.createElement("p");
      label.className = "layer-label";
      const count = `${units.length} unit${units.length === 1 ? "" : "s"}`;
      label.textContent = layers.length > 1 ? `hidden layer ${l + 1}: ${count}` : count;
      const canvas = document.createElement("canvas");
      const columns = gridColumns(units.length);
      canvas.width = columns;
      canvas.height = Math.ceil(units.length / columns);
      canvas.style.aspectRatio = `${canvas.width} / ${canvas.height}`;
      canvas.style.maxWidth = `${columns * 28}px`; // one wide layer fills the card, a tiny one does not
      holder.append(label, canvas);
    });
  }
  const notes = [];
  layers.forEach((units, l) => {
    const canvas = holder.children[2 * l + 1];
    const largest = Math.max(...units) || 1;
    const cells = new Array(canvas.width * canvas.height).fill(-1);
    units.forEach((v, i) => (cells[i] = v));
    paintPixels(canvas, cells, (v) => {
      if (v < 0) return [244, 245, 247]; // past the last unit
      const t = v / largest;
      return [14 + 241 * t, 20 + 176 * t, 32 + 46 * t];
    });
    const active = units.filter((v) => v > 0).length;
    notes.push(`${active} of ${units.length} active`);
  });
  document.getElementById("hidden-note").textContent =
    `Each square is one hidden unit after ReLU: dark is 0, bright is the most active. ${notes.join("; ")}. The output layer reads only these.`;
}

function show(answer) {
  document.body.dataset.state = "answered";
  document.body.classList.toggle("blank", !answer.ink);
  const p = answer.probabilities;
  document.getElementById("digit").textContent = String(answer.digit);
  document.getElementById("certainty").innerHTML = answer.ink
    ? `p = ${p[answer.digit].toFixed(3)}<br>margin ${answer.margin.toFixed(3)} over ${answer.runner_up}<br>entropy ${answer.entropy.toFixed(2)} of at most 2.30 nats`
    : "No ink found: the network still answers, but the answer means nothing.";
  barRows.forEach((row, digit) => {
    row.fill.style.width = (100 * p[digit]).toFixed(2) + "%";
    row.value.textContent = p[digit].toFixed(3);
    row.li.classList.toggle("top", digit === answer.digit);
  });
  paintPixels(document.getElementById("input"), answer.input, (v) => [255 * v, 255 * v, 255 * v]);
  document.getElementById("prepared").textContent = answer.ink
    ? `Your drawing, prepared as MNIST's digits were: ${answer.inverted ? "inverted to white on black, " : ""}cropped to the ink, scaled to 20 pixels, centred by its centre of mass. 784 numbers.`
    : "Nothing stands out from the background: the network reads 784 zeros.";
  paintHidden(answer.hidden);
  document.getElementById("why-digit").textContent = String(answer.digit);
  paintPixels(document.getElementById("contribution"), answer.saliency.contribution, diverging(answer.saliency.contribution));
  paintPixels(document.getElementById("gradient"), answer.saliency.gradient, diverging(answer.saliency.gradient));
  const silent = answer.saliency.gradient.every((g) => g === 0);
  document.getElementById("why-note").textContent = silent
    ? "Both maps are blank: no hidden unit is active, so no pixel can move the answer."
    : "The gradient of the answer's logit against its rivals', weighted by how likely each is: the direction of ∂ log p / ∂ input.";
}

function showNothing() {
  document.body.dataset.state = "ready";
  document.body.classList.remove("blank");
  document.getElementById("digit").textContent = "?";
  document.getElementById("certainty").textContent = "Draw something first.";
  barRows.forEach((row) => {
    row.fill.style.width = "0";
    row.value.textContent = "–";
    row.li.classList.remove("top");
  });
  for (const id of ["input", "contribution", "gradient"]) {
    const canvas = document.getElementById(id);
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  }
  document.getElementById("why-digit").textContent = "its answer";
}

async function describeModel() {
  try {
    const response = await fetch("/api/model");
    const model = await response.json();
    document.getElementById("model").textContent = "Network: " + model.description;
  } catch (error) {
    status.textContent = "Cannot reach nn-play: " + error.message;
  }
}

clearPad();
setBusy(false);
showTemperature();
showNothing();
describeModel();
