import { assertEquals, assertThrows } from "../testing/assert.ts";
import { formatValue, renderExposition } from "./exposition.ts";

Deno.test("renderExposition() writes HELP, TYPE and one line per sample, labels in order", () => {
  const text = renderExposition([
    {
      name: "memtierd_moved_bytes_total",
      help: "Bytes moved.",
      type: "counter",
      samples: [
        { labels: { pid: 42, node: 1 }, value: 8192 },
        { labels: { pid: 42, node: 2 }, value: 4096 },
      ],
    },
    { name: "memtierd_mover_tasks", help: "Tasks.", type: "gauge", samples: [{ value: 0 }] },
  ]);
  assertEquals(
    text,
    "# HELP memtierd_moved_bytes_total Bytes moved.\n" +
      "# TYPE memtierd_moved_bytes_total counter\n" +
      'memtierd_moved_bytes_total{pid="42",node="1"} 8192\n' +
      'memtierd_moved_bytes_total{pid="42",node="2"} 4096\n' +
      "# HELP memtierd_mover_tasks Tasks.\n" +
      "# TYPE memtierd_mover_tasks gauge\n" +
      "memtierd_mover_tasks 0\n",
  );
});

Deno.test("renderExposition() escapes backslash, quote and newline in label values, backslash and newline in HELP", () => {
  const text = renderExposition([{
    name: "x",
    help: 'a\\b\nc "q"',
    type: "gauge",
    samples: [{ labels: { event: 'C:\\dir "x"\ny' }, value: 1 }],
  }]);
  assertEquals(
    text,
    '# HELP x a\\\\b\\nc "q"\n# TYPE x gauge\nx{event="C:\\\\dir \\"x\\"\\ny"} 1\n',
  );
});

Deno.test("renderExposition() keeps a family without samples as HELP and TYPE lines only", () => {
  assertEquals(
    renderExposition([{ name: "y_total", help: "None yet.", type: "counter", samples: [] }]),
    "# HELP y_total None yet.\n# TYPE y_total counter\n",
  );
  assertEquals(renderExposition([]), "");
});

Deno.test("renderExposition() refuses bad names, a counter without _total and a name written twice", () => {
  const g = (name: string) => ({ name, help: "h", type: "gauge" as const, samples: [] });
  assertThrows(() => renderExposition([g("1abc")]), TypeError, 'Invalid metric name "1abc"');
  assertThrows(() => renderExposition([g("a-b")]), TypeError, 'Invalid metric name "a-b"');
  assertThrows(
    () => renderExposition([{ name: "c", help: "h", type: "counter", samples: [] }]),
    TypeError,
    "Counter c must end in _total",
  );
  assertThrows(() => renderExposition([g("a"), g("a")]), TypeError, "Metric a is written twice");
  assertThrows(
    () => renderExposition([{ ...g("a"), samples: [{ labels: { "__x": 1 }, value: 1 }] }]),
    TypeError,
    'Invalid label name "__x" in a',
  );
});

Deno.test("formatValue() writes special values as the format spells them", () => {
  assertEquals(formatValue(NaN), "NaN");
  assertEquals(formatValue(-Infinity), "-Inf");
  assertEquals(formatValue(1.5e-7), "1.5e-7");
  assertEquals(formatValue(0), "0");
});
