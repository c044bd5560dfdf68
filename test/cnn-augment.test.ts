import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Augmenter, parseAugmentSpec } from "../src/data/augment.js";
import { zeros } from "../src/tensor/tensor.js";

/** A 28×28 image with a bright 4×4 square at rows/cols 6..9. */
function square(): ReturnType<typeof zeros> {
  const x = zeros([1, 784]);
  for (let i = 6; i < 10; i++) for (let j = 6; j < 10; j++) x.data[i * 28 + j] = 1;
  return x;
}

function centroid(img: Float32Array): [number, number] {
  let m = 0;
  let cy = 0;
  let cx = 0;
  for (let i = 0; i < 28; i++)
    for (let j = 0; j < 28; j++) {
      m += img[i * 28 + j];
      cy += i * img[i * 28 + j];
      cx += j * img[i * 28 + j];
    }
  return [cy / m, cx / m];
}

describe("Augmenter", () => {
  it("is the identity with no transforms, and reproducible with a seed", () => {
    const x = square();
    assert.deepEqual(Array.from(new Augmenter().apply(x).data), Array.from(x.data));
    const a = new Augmenter({ rotate: 15, shift: 2, scale: 0.1, elastic: { alpha: 34, sigma: 4 }, seed: 5 }).apply(x);
    const b = new Augmenter({ rotate: 15, shift: 2, scale: 0.1, elastic: { alpha: 34, sigma: 4 }, seed: 5 }).apply(x);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    const c = new Augmenter({ rotate: 15, shift: 2, scale: 0.1, seed: 6 }).apply(x);
    assert.notDeepEqual(Array.from(a.data), Array.from(c.data));
  });

  it("shifts move the digit by at most `shift` pixels; rotation turns it about the centre", () => {
    const x = square();
    const [y0, x0] = centroid(x.data);
    const aug = new Augmenter({ shift: 2, seed: 1 });
    let moved = 0;
    for (let k = 0; k < 20; k++) {
      const [y1, x1] = centroid(aug.apply(x).data);
      assert.ok(Math.abs(y1 - y0) <= 2.01 && Math.abs(x1 - x0) <= 2.01, `shift too large: (${y1 - y0}, ${x1 - x0})`);
      moved += Math.hypot(y1 - y0, x1 - x0);
    }
    assert.ok(moved / 20 > 0.5, "shifts should move the image");
    // rotation about (13.5, 13.5) keeps the distance of the square's centroid to the centre
    const rot = new Augmenter({ rotate: 15, seed: 2 });
    const r0 = Math.hypot(y0 - 13.5, x0 - 13.5);
    for (let k = 0; k < 10; k++) {
      const [y1, x1] = centroid(rot.apply(x).data);
      const r1 = Math.hypot(y1 - 13.5, x1 - 13.5);
      assert.ok(Math.abs(r1 - r0) < 0.3, `rotation changed the radius ${r0} → ${r1}`);
      const angle = (Math.abs(Math.atan2(y1 - 13.5, x1 - 13.5) - Math.atan2(y0 - 13.5, x0 - 13.5)) * 180) / Math.PI;
      assert.ok(angle <= 15.5, `rotated by ${angle}° > 15°`);
    }
  });

  it("parses the CLI spec and rejects bad keys and ranges", () => {
    assert.deepEqual(parseAugmentSpec("rotate=15,shift=2", 3), { seed: 3, rotate: 15, shift: 2 });
    assert.deepEqual(parseAugmentSpec("elastic=34:4,scale=0.1"), { seed: 0, elastic: { alpha: 34, sigma: 4 }, scale: 0.1 });
    assert.equal(parseAugmentSpec(""), null);
    assert.throws(() => parseAugmentSpec("spin=3"), /unknown key "spin"/);
    assert.throws(() => parseAugmentSpec("rotate=400"), /rotate \(degrees\) must be in \[0, 180\]; got 400/);
    assert.throws(() => new Augmenter().apply(zeros([2, 100])), /not images of \[28,28,1\]/);
  });
});
