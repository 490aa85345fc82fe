/**
 * For the picture tests: renders SVG to PNG with rsvg-convert and decodes
 * the PNG (8-bit RGB or RGBA, not interlaced: what rsvg-convert writes), so
 * a test can look at pixels.
 *
 * @module
 */

/** A decoded image: RGBA bytes, row by row. */
export interface Rgba {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Runs `rsvg-convert` on `svg`; throws a clear error when it is missing or fails. */
export async function renderSvg(svg: string): Promise<Uint8Array> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("rsvg-convert", {
      args: ["--format=png"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new Error(
      `Cannot run rsvg-convert (Debian package librsvg2-bin, tools/setup-debian.sh): ${e}`,
    );
  }
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(svg));
  await w.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`rsvg-convert failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

async function inflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decodes a PNG of 8-bit RGB or RGBA samples. */
export async function decodePng(png: Uint8Array): Promise<Rgba> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => png[i] === b)) throw new Error("not a PNG");
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Uint8Array<ArrayBuffer>[] = [];
  while (pos < png.length) {
    const len = view.getUint32(pos);
    const type = new TextDecoder().decode(png.subarray(pos + 4, pos + 8));
    const body = png.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      const h = new DataView(body.buffer, body.byteOffset, body.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      colorType = body[9]!;
      if (body[8] !== 8 || body[12] !== 0 || (colorType !== 2 && colorType !== 6)) {
        throw new Error(`PNG kind not handled: depth ${body[8]} colour ${colorType}`);
      }
    } else if (type === "IDAT") idat.push(body.slice());
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const raw = await inflate(new Uint8Array(await new Blob(idat).arrayBuffer()));
  const bpp = colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.slice(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i]! + add) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      out[o] = line[x * bpp]!;
      out[o + 1] = line[x * bpp + 1]!;
      out[o + 2] = line[x * bpp + 2]!;
      out[o + 3] = bpp === 4 ? line[x * bpp + 3]! : 255;
    }
    prev = line;
  }
  return { width, height, pixels: out };
}

/** How many pixels have exactly the colour `#rrggbb` (opaque). */
export function countColor(img: Rgba, hex: string): number {
  const r = parseInt(hex.slice(1, 3), 16);
  const g = parseInt(hex.slice(3, 5), 16);
  const b = parseInt(hex.slice(5, 7), 16);
  let n = 0;
  for (let i = 0; i < img.pixels.length; i += 4) {
    if (
      img.pixels[i] === r && img.pixels[i + 1] === g && img.pixels[i + 2] === b &&
      img.pixels[i + 3] === 255
    ) n++;
  }
  return n;
}

/** The number of distinct opaque colours. */
export function distinctColors(img: Rgba): number {
  const seen = new Set<number>();
  for (let i = 0; i < img.pixels.length; i += 4) {
    if (img.pixels[i + 3] === 255) {
      seen.add((img.pixels[i]! << 16) | (img.pixels[i + 1]! << 8) | img.pixels[i + 2]!);
    }
  }
  return seen.size;
}
