import { assertEquals } from "../testing/assert.ts";
import { parseZoneinfo } from "./zoneinfo.ts";

Deno.test("parseZoneinfo reads each zone's free pages, high watermark and largest reserve, not the pagesets' high", () => {
  const text = Deno.readTextFileSync(
    new URL("../../tests/fixtures/zoneinfo/zoneinfo", import.meta.url),
  );
  assertEquals(parseZoneinfo(text).map((z) => [z.node, z.zone, z.highPages, z.reservePages]), [
    [0, "DMA", 21, 16586],
    [0, "DMA32", 4616, 13568],
    [0, "Normal", 20754, 0],
    [0, "Movable", 32, 0],
    [0, "Device", 0, 0],
  ]);
  assertEquals(parseZoneinfo(text)[1]!.freePages, 772848);
});
