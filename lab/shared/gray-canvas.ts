/**
 * Small drawing helpers of the boltzmann, autoencoders and recurrent pages: a greyscale picture
 * the library made (tileImages, filtersImage) onto a canvas, a line plot (linePlotSvg) into an
 * element, and waiting a frame so a page that trains stays responsive.
 */
import { type GrayImage, type LinePlotOptions, linePlotSvg } from "layerwise";

/** Puts a greyscale picture on a canvas, each pixel a `scale` × `scale` block. */
export function drawGray(canvas: HTMLCanvasElement, image: GrayImage, scale = 1): void {
  const rgba = new ImageData(image.width, image.height);
  for (let i = 0; i < image.pixels.length; i++) {
    const g = image.pixels[i];
    rgba.data.set([g, g, g, 255], 4 * i);
  }
  canvas.width = image.width * scale;
  canvas.height = image.height * scale;
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  if (scale === 1) {
    ctx.putImageData(rgba, 0, 0);
    return;
  }
  const bitmap = new OffscreenCanvas(image.width, image.height);
  bitmap.getContext("2d")?.putImageData(rgba, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
}

/** Replaces an element's content by a line plot of the library's SVG plotter. */
export function showPlot(element: HTMLElement, options: LinePlotOptions): void {
  element.innerHTML = linePlotSvg(options);
}

/** Resolves at the next animation frame (or soon, in a hidden tab), so the page can paint between batches. */
export function nextFrame(): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      done();
    });
  });
}

/** Fetches a model the CLI saved (model.json + model.safetensors in `folder`) as bytes and JSON. */
export async function fetchSaved(folder: string): Promise<{ json: unknown; weights: Uint8Array }> {
  const [json, weights] = await Promise.all([
    fetch(`${folder}/model.json`).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${r.url}: HTTP ${r.status}`)))),
    fetch(`${folder}/model.safetensors`).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`${r.url}: HTTP ${r.status}`)))),
  ]);
  return { json, weights: new Uint8Array(weights) };
}
