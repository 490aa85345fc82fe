/**
 * The few SVG pieces the charts share: escaping, the document, text and
 * colours.
 *
 * @module
 */

/** Text made safe inside SVG elements and attributes. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A whole SVG document of `width` x `height` pixels on a white background. */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** A text element. */
export function svgText(
  x: number,
  y: number,
  text: string,
  anchor: "start" | "middle" | "end" = "start",
): string {
  return `<text x="${r(x)}" y="${r(y)}" text-anchor="${anchor}" fill="#222222">${
    escapeXml(text)
  }</text>`;
}

/** A rectangle. */
export function svgRect(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" fill="${fill}"/>`;
}

/** A number rounded to 0.01 for coordinates. */
export function r(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Colours of heat classes, cold to hot: blue, cyan, green, yellow, orange,
 * red (interpolated for any number of classes).
 */
export function heatColor(heatClass: number, classes: number): string {
  const stops = [
    [0x30, 0x4f, 0xfe],
    [0x00, 0xbc, 0xd4],
    [0x4c, 0xaf, 0x50],
    [0xff, 0xeb, 0x3b],
    [0xff, 0x98, 0x00],
    [0xe5, 0x39, 0x35],
  ];
  const t = classes <= 1 ? 1 : heatClass / (classes - 1);
  const pos = t * (stops.length - 1);
  const i = Math.min(Math.floor(pos), stops.length - 2);
  const f = pos - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return "#" +
    [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f).toString(16).padStart(2, "0"))
      .join("");
}

/** Distinct colours for NUMA nodes (node id modulo 8). */
const NODE_COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
] as const;

/** The colour of a node. */
export function nodeColor(node: number): string {
  return NODE_COLORS[node % NODE_COLORS.length]!;
}
