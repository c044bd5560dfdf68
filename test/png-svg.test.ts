import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexRgb, linePlotImage } from "../src/io/plot-image.js";
import { COLOURS, escapeXml, linePlotLayout, linePlotSvg, niceTicks } from "../src/io/svg.js";

const base = { title: "loss", xLabel: "epoch", yLabel: "cross-entropy" };

/** Every tag opened is closed (a cheap well-formedness check without an XML parser). */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === "/") continue;
    if (m[1] === "/") assert.equal(stack.pop(), m[2], `closing </${m[2]}>`);
    else stack.push(m[2]);
  }
  assert.deepEqual(stack, []);
}

describe("linePlotSvg", () => {
  it("one path per series, legend with each name, title and labels, balanced tags", () => {
    const svg = linePlotSvg({
      ...base,
      series: [
        { name: "train", x: [1, 2, 3], y: [2.3, 1.1, 0.7] },
        { name: "test", x: [1, 2, 3], y: [2.4, 1.3, 0.9] },
      ],
    });
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400"'));
    assert.equal((svg.match(/<path /g) ?? []).length, 2);
    for (const s of ["train", "test", "loss", "epoch", "cross-entropy"]) assert.ok(svg.includes(`>${s}<`), s);
    assertBalanced(svg);
    // all coordinates are finite numbers
    assert.ok(!/NaN|Infinity/.test(svg));
  });

  it("maps the data range onto the plot box: larger y is higher up", () => {
    const svg = linePlotSvg({ ...base, width: 400, height: 300, series: [{ name: "s", x: [0, 10], y: [0, 5] }] });
    const d = /<path d="M([\d.]+),([\d.]+)L([\d.]+),([\d.]+)"/.exec(svg);
    assert.ok(d, svg);
    const [x0, y0, x1, y1] = d.slice(1).map(Number);
    assert.equal(x0, 72); // left margin
    assert.equal(x1, 400 - 24); // right margin
    // y has 5% headroom: the range [0, 5] is drawn inside [-0.25, 5.25] over the 208-pixel plot height
    assert.equal(y0, Math.round((248 - (0.25 / 5.5) * 208) * 100) / 100);
    assert.equal(y1, Math.round((248 - (5.25 / 5.5) * 208) * 100) / 100);
  });

  it("non-finite values break the line; a lone point becomes a dot", () => {
    const svg = linePlotSvg({ ...base, series: [{ name: "s", x: [1, 2, 3, 4, 5], y: [1, 2, Number.NaN, 3, Number.POSITIVE_INFINITY] }] });
    const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? "";
    assert.equal((d.match(/M/g) ?? []).length, 2);
    assert.equal((d.match(/L/g) ?? []).length, 1);
    assert.equal((svg.match(/<circle /g) ?? []).length, 1);
    assert.ok(!/NaN|Infinity/.test(svg));
  });

  it("escapes text, handles flat and empty data, log scale", () => {
    const svg = linePlotSvg({ ...base, title: 'a<b & "c"', series: [{ name: "<x>", x: [1, 2], y: [3, 3] }] });
    assert.ok(svg.includes("a&lt;b &amp; &quot;c&quot;"));
    assert.ok(svg.includes("&lt;x&gt;"));
    assertBalanced(svg);
    const empty = linePlotSvg({ ...base, series: [] });
    assert.ok(empty.includes("no data"));
    assertBalanced(empty);
    const log = linePlotSvg({ ...base, yScale: "log", series: [{ name: "s", x: [1, 2, 3, 4], y: [100, 1, 0.01, -1] }] });
    for (const label of [">100<", ">1<", ">0.01<"]) assert.ok(log.includes(label), label);
    assert.ok(log.includes("(log scale)"));
    assert.ok(!/NaN|Infinity/.test(log));
  });

  it("validates its options", () => {
    assert.throws(() => linePlotSvg({ ...base, series: [{ name: "s", x: [1, 2], y: [1] }] }), /series "s" has 2 x values but 1 y values/);
    assert.throws(() => linePlotSvg({ ...base, width: 10, series: [] }), /width and height must be at least 160 x 120/);
    assert.throws(() => linePlotSvg({ ...base, yScale: "sqrt" as "log", series: [] }), /yScale must be "linear" or "log"/);
  });
});

describe("linePlotImage: the same layout as pixels", () => {
  const decay = { ...base, yScale: "log" as const, series: [{ name: "decay", x: [0, 5, 10], y: [1, 1e-2, 1e-4] }] };

  it("a log axis spaces powers of ten evenly: 1e-2 lies halfway between 1 and 1e-4", () => {
    const [line] = linePlotLayout(decay).lines;
    const [[, yA], [, yB], [, yC]] = line.runs[0];
    assert.ok(Math.abs(yB - (yA + yC) / 2) < 1e-9, `${yA} ${yB} ${yC}`);
    assert.ok(yA < yC, "larger y is higher up");
  });

  it("draws each line in its colour where the layout puts it, on white, with text in the margins", () => {
    const image = linePlotImage(decay);
    assert.equal(image.width, 640);
    assert.equal(image.height, 400);
    assert.equal(image.pixels.length, 640 * 400 * 3);
    const at = (x: number, y: number): number[] => [
      ...image.pixels.subarray(3 * (Math.round(y) * 640 + Math.round(x)), 3 * (Math.round(y) * 640 + Math.round(x)) + 3),
    ];
    const [[xA, yA], [xB, yB]] = linePlotLayout(decay).lines[0].runs[0];
    assert.deepEqual(at((xA + xB) / 2, (yA + yB) / 2), hexRgb(COLOURS[0]));
    // below the line in the lower left of the plot: blank
    assert.deepEqual(at(xA + 20, yA + 200), [255, 255, 255]);
    // the title ("loss", 4 glyphs) is ink in the top margin; the right margin has none
    let ink = 0;
    for (let y = 0; y < 40; y++) for (let x = 0; x < 640; x++) if (at(x, y)[0] === 0) ink++;
    assert.ok(ink > 40, `title ink ${ink}`);
    for (let y = 0; y < 400; y++) assert.deepEqual(at(639, y), [255, 255, 255]);
  });

  it("a log axis over many decades labels every 2nd, 5th or 10th power, few enough to read", () => {
    const layout = linePlotLayout({ ...base, yScale: "log", series: [{ name: "vanishing", x: [0, 100], y: [1, 1e-40] }] });
    const labels = layout.yTicks.map((t) => t.label);
    assert.ok(labels.length >= 4 && labels.length <= Math.floor(layout.frame.h / 24), labels.join(" "));
    assert.ok(labels.includes("1") && labels.includes("1.00e-40"), labels.join(" "));
    const gaps = layout.yTicks.slice(1).map((t, i) => t.at - layout.yTicks[i].at);
    for (const g of gaps) assert.ok(Math.abs(g - gaps[0]) < 1e-6, "evenly spaced");
  });

  it("validates its options under its own name", () => {
    assert.throws(() => linePlotImage({ ...base, height: 50, series: [] }), /linePlotImage: width and height must be at least 160 x 120/);
  });
});

describe("svg helpers", () => {
  it("niceTicks steps by 1, 2 or 5 times a power of ten", () => {
    assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0.013, 0.049, 4), [0.02, 0.03, 0.04]);
    assert.deepEqual(niceTicks(-3, 3, 3), [-2, 0, 2]);
  });
  it("integerX: an epoch axis ticks whole epochs only, also for one or two epochs", () => {
    const epochs = (x: number[]) => ({ ...base, series: [{ name: "loss", x, y: x.map((e) => 1 / e) }] });
    assert.ok(
      linePlotLayout(epochs([1, 2])).xTicks.some((t) => !/^\d+$/.test(t.label)),
      "without it, fractions of an epoch",
    );
    assert.deepEqual(
      linePlotLayout({ ...epochs([1, 2]), integerX: true }).xTicks.map((t) => t.label),
      ["1", "2"],
    );
    assert.deepEqual(
      linePlotLayout({ ...epochs([1]), integerX: true }).xTicks.map((t) => t.label),
      ["1"],
    );
    assert.deepEqual(
      linePlotLayout({ ...epochs([0, 50]), integerX: true }).xTicks.map((t) => t.label),
      linePlotLayout(epochs([0, 50])).xTicks.map((t) => t.label),
    );
  });
  it("escapeXml", () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });
});
