/** Images of a preview drawn from their pixel values onto canvases (uint8, or min/max-scaled otherwise). */
import { useEffect, useRef } from 'preact/hooks';

export interface ImageSpec {
  height: number;
  width: number;
  channels: number;
}

function draw(canvas: HTMLCanvasElement, pixels: number[], spec: ImageSpec): void {
  const { width, height, channels } = spec;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  let lo = 0;
  let hi = 255;
  if (pixels.some((v) => v < 0 || v > 255 || !Number.isInteger(v))) {
    lo = Math.min(...pixels);
    hi = Math.max(...pixels);
  }
  const scale = hi > lo ? 255 / (hi - lo) : 1;
  const img = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = pixels[p * channels + (channels >= 3 ? c : 0)] ?? 0;
      img.data[p * 4 + c] = (v - lo) * scale;
    }
    img.data[p * 4 + 3] = channels === 4 ? (pixels[p * 4 + 3] ?? 255) : 255;
  }
  ctx.putImageData(img, 0, 0);
}

export function ImageGrid(props: { images: number[][]; labels: string[]; spec: ImageSpec }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const canvases = box.current!.querySelectorAll('canvas');
    props.images.forEach((px, i) => {
      const c = canvases[i];
      if (c) draw(c, px, props.spec);
    });
  }, [props.images, props.spec]);
  return (
    <div class="images" ref={box} data-testid="image-grid">
      {props.images.map((_, i) => (
        <figure key={i}>
          <canvas data-testid={`image-${i}`} />
          <figcaption class="num muted">{props.labels[i]}</figcaption>
        </figure>
      ))}
    </div>
  );
}
