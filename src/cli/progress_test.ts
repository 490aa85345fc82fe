import { assertEquals } from "../testing/assert.ts";
import { ProgressBar, progressLine } from "./progress.ts";

Deno.test("progressLine() shows the fraction, the pages and the rate", () => {
  assertEquals(
    progressLine(25600, 102400, 1000),
    "[########......................]  25% 25,600/102,400 pages 100 MB/s",
  );
});

Deno.test("ProgressBar draws nothing for a move that ends within a moment", () => {
  let written = "";
  let t = 0;
  const bar = new ProgressBar((s) => (written += s), () => t);
  t = 200;
  bar.update(10, 100);
  bar.clear();
  assertEquals(written, "");
});

Deno.test("ProgressBar redraws at most every 100 ms and clears its line", () => {
  const writes: string[] = [];
  let t = 0;
  const bar = new ProgressBar((s) => writes.push(s), () => t);
  for (t = 300; t < 600; t += 20) bar.update(t, 1000);
  bar.clear();
  assertEquals(writes.length, 4);
  assertEquals(writes.at(-1), "\r\x1b[K");
});
