// nn-play in a real browser: Debian's chromium, headless, driven through playwright-core.
// Draws a "1" with the mouse and a "0" with a finger (touch events) on the page's canvas,
// reads the network's answer from the page, moves the temperature slider, and saves a
// screenshot of each state.
//
//   node .ci/browser/play.mjs http://127.0.0.1:PORT/ SCREENSHOT_DIR
//
// Exits non-zero, saying why, if the page shows an error, logs one, or answers wrongly.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, shots] = process.argv.slice(2);
if (!url || !shots) {
  console.error("usage: node play.mjs URL SCREENSHOT_DIR");
  process.exit(2);
}

const failures = [];
function check(condition, message) {
  console.log(`${condition ? "ok  " : "FAIL"} ${message}`);
  if (!condition) failures.push(message);
}

const profile = mkdtempSync(join(tmpdir(), "nn-play-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 900 },
  hasTouch: true,
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];
page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
page.on("console", (message) => {
  if (message.type() === "error") problems.push(`console error: ${message.text()}`);
});
page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
page.on("request", (request) => {
  if (!request.url().startsWith(url)) problems.push(`the page asked another server: ${request.url()}`);
});

// Settled: an answer is shown and no request is on its way.
async function settled() {
  await page.waitForFunction(
    () => document.body.dataset.state === "answered" && document.body.dataset.busy === "no",
    null,
    { timeout: 20_000 },
  );
  await page.waitForTimeout(150); // a last request may have just been sent
  await page.waitForFunction(() => document.body.dataset.busy === "no", null, { timeout: 20_000 });
}

async function readAnswer() {
  return page.evaluate(() => {
    const input = document.getElementById("input").getContext("2d").getImageData(0, 0, 28, 28).data;
    let ink = 0;
    for (let i = 0; i < input.length; i += 4) ink += input[i] > 0 ? 1 : 0;
    const values = [...document.querySelectorAll("#bars .value")].map((v) => Number(v.textContent));
    return { digit: document.getElementById("digit").textContent, ink, values };
  });
}

// Points along a path through the pad, in page coordinates; `shape` maps t in [0, 1] to a
// point in the pad's unit square.
async function padPath(shape, steps) {
  const box = await page.locator("#pad").boundingBox();
  return Array.from({ length: steps + 1 }, (_, i) => {
    const [x, y] = shape(i / steps);
    return { x: box.x + x * box.width, y: box.y + y * box.height };
  });
}

await page.goto(url);
await page.waitForFunction(() => document.body.dataset.state === "ready");
const description = await page.locator("#model").textContent();
check(/784-\d+(-\d+)*-10 network/.test(description), `the page names the network: ${description}`);

// A "1" with the mouse: a slightly slanted vertical stroke.
const one = await padPath((t) => [0.52 + 0.06 * (0.5 - t), 0.15 + 0.7 * t], 30);
await page.mouse.move(one[0].x, one[0].y);
await page.mouse.down();
for (const p of one.slice(1)) await page.mouse.move(p.x, p.y);
await page.mouse.up();
await settled();
let answer = await readAnswer();
check(answer.digit === "1", `a stroke drawn with the mouse reads as 1 (the page says ${answer.digit})`);
check(answer.ink > 20, `the 28x28 input shows the stroke (${answer.ink} lit pixels)`);
const sum = answer.values.reduce((a, b) => a + b, 0);
check(Math.abs(sum - 1) < 0.01, `the ten probabilities add up to 1 (${sum.toFixed(3)})`);
await page.screenshot({ path: join(shots, "nn-play-one.png"), fullPage: true });

// Temperature 10: flatter, the same answer.
const sure = answer.values[1];
await page.locator("#temperature").fill("1");
await settled();
answer = await readAnswer();
check(answer.digit === "1" && answer.values[1] < sure, `at T = 10 the answer stays 1, less sure (${sure} -> ${answer.values[1]})`);
await page.locator("#temperature-reset").click();
await settled();

// A "0" with a finger: touch events, as a phone sends them.
await page.locator("#clear").click();
check((await page.locator("#digit").textContent()) === "?", "Clear empties the answer");
const zero = await padPath((t) => [0.5 + 0.26 * Math.sin(2 * Math.PI * t), 0.5 - 0.34 * Math.cos(2 * Math.PI * t)], 48);
const cdp = await context.newCDPSession(page);
const touch = (type, p) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: p ? [{ x: p.x, y: p.y }] : [] });
await touch("touchStart", zero[0]);
for (const p of zero.slice(1)) await touch("touchMove", p);
await touch("touchEnd");
await settled();
answer = await readAnswer();
check(answer.digit === "0", `a ring drawn with a finger reads as 0 (the page says ${answer.digit})`);
await page.screenshot({ path: join(shots, "nn-play-zero.png"), fullPage: true });

// A phone's width: everything still on screen, one column.
await page.setViewportSize({ width: 390, height: 844 });
await page.waitForTimeout(200);
const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
check(overflow <= 0, `nothing sticks out sideways at 390 pixels wide (${overflow} px)`);
await page.screenshot({ path: join(shots, "nn-play-phone.png"), fullPage: true });

check(problems.length === 0, `no errors in the page${problems.length ? ": " + problems.join("; ") : ""}`);
await context.close();
rmSync(profile, { recursive: true, force: true });
if (failures.length) {
  console.error(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`nn-play works in ${url}: screenshots in ${shots}`);
