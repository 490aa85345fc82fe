import { assertEquals, assertIncludes, assertOk } from "../testing/assert.ts";
import { harness } from "./_harness.ts";
import {
  editorLineSource,
  interact,
  type LineEditor,
  LineTooLongError,
  streamLineSource,
} from "./interact.ts";

/** A terminal line editor that the test types into. */
class FakeEditor implements LineEditor {
  #line: ((line: string) => void)[] = [];
  #close: (() => void)[] = [];
  prompts: string[] = [];
  #ps1 = "";
  on(event: "line" | "close", listener: ((line: string) => void) | (() => void)): this {
    if (event === "line") this.#line.push(listener as (line: string) => void);
    else this.#close.push(listener as () => void);
    return this;
  }
  setPrompt(prompt: string) {
    this.#ps1 = prompt;
  }
  prompt() {
    this.prompts.push(this.#ps1);
  }
  close() {
    for (const l of this.#close) l();
  }
  /** Text pasted at once: the editor emits one `line` per line. */
  paste(text: string) {
    for (const line of text.split("\n")) for (const l of this.#line) l(line);
  }
}

Deno.test("a terminal: several lines pasted at once all run, in order", async () => {
  using h = harness();
  const editor = new FakeEditor();
  const source = editorLineSource(editor);
  const done = interact(h.prompt, source, false);
  await Promise.resolve();
  editor.paste("time -start a\ntime -start b\ntime -elapsed a");
  for (let i = 0; i < 20; i++) await Promise.resolve();
  editor.close();
  await done;
  assertEquals(
    h.out(),
    'stopwatch "a" started 1700000000.000000\n' +
      'stopwatch "b" started 1700000000.000000\n' +
      "0.000000\nquit: EOF\nquit.\n",
  );
  assertEquals(editor.prompts, ["memtierd> ", "memtierd> "]);
});

Deno.test("a terminal: lines typed while a command runs wait their turn", async () => {
  const editor = new FakeEditor();
  const source = editorLineSource(editor);
  const first = source.next("> ");
  editor.paste("one");
  editor.paste("two\nthree");
  assertEquals(await first, "one");
  assertEquals(await source.next("> "), "two");
  assertEquals(await source.next("> "), "three");
  editor.close();
  assertEquals(await source.next("> "), null);
  assertEquals(editor.prompts, ["> "]);
});

/** A byte stream of `line` then endless `x` (no newline), counting the bytes it handed out. */
function endlessStream(first: string) {
  const chunk = new Uint8Array(16384).fill(0x78);
  let served = 0;
  let sentFirst = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const bytes = sentFirst ? chunk : new TextEncoder().encode(first);
      sentFirst = true;
      served += bytes.length;
      controller.enqueue(bytes);
    },
  }, { highWaterMark: 0 });
  return { stream, served: () => served };
}

Deno.test("stdin: a line without end (-prompt </dev/zero) is one error, never held whole", async () => {
  const s = endlessStream("help x\n");
  const source = streamLineSource(s.stream, () => {}, 1000);
  assertEquals(await source.next("> "), "help x");
  const e = await source.next("> ").then(() => undefined, (e) => e);
  assertOk(e instanceof LineTooLongError, String(e));
  assertEquals(
    e.message,
    "line too long: more than 1000 characters (the most a prompt line may have)",
  );
  // Cut at its first 16 KiB chunk beyond the limit (the text decoder reads
  // one chunk ahead): on main this read on for ever.
  assertOk(s.served() <= 7 + 2 * 16384, `${s.served()} bytes read`);
  source.close();
});

Deno.test("stdin: after a line too long, the lines after its newline run; the exit code is 2", async () => {
  using h = harness();
  const text = `${"x".repeat(5000)}\ntime -start a\n`;
  const stream = ReadableStream.from([new TextEncoder().encode(text)]);
  await interact(h.prompt, streamLineSource(stream, (t) => h.prompt.write(t), 1000), false);
  assertEquals(
    h.err(),
    "memtierd: line too long: more than 1000 characters (the most a prompt line may have)\n",
  );
  assertIncludes(h.out(), 'stopwatch "a" started');
  assertEquals(h.prompt.firstErrorCode, 2);
});

Deno.test("a -c or -f line longer than 64 KiB is refused in one short line", async () => {
  using h = harness();
  const out = await h.run(`pages -pid ${"1,".repeat(40000)}1`);
  assertEquals(out, "memtierd: line too long: 80012 characters (at most 65536)\n");
});

Deno.test("a line of a megabyte is refused by its length; an unknown command is quoted by 40 characters", async () => {
  using h = harness();
  const out = await h.run("y".repeat(1_000_000));
  assertEquals(
    out,
    `memtierd: line too long: 1000000 characters (at most 65536)\n`,
  );
  assertEquals(
    await h.run("z".repeat(60000)),
    `memtierd: unknown command "${"z".repeat(40)}"... (60000 characters) (try help)\n`,
  );
});

Deno.test("a bad value of any length comes back as 40 characters and its length", async () => {
  using h = harness();
  assertEquals(
    await h.run(`pages -pid ${"9".repeat(30000)}`),
    `memtierd: pages: Invalid -pid "${"9".repeat(40)}"... (30000 characters): ` +
      "expected a process id, a whole number from 1 to 4194304\n",
  );
  await h.run("tracker -create softdirty");
  assertEquals(
    await h.run(`tracker -start ${"1,".repeat(9000)}x${"2".repeat(100)}`),
    `memtierd: tracker: invalid pid: "x${"2".repeat(39)}"... (101 characters)\n`,
  );
  assertEquals(
    await h.run(`stats -f ${"q".repeat(100)}`),
    `memtierd: stats: Invalid -f "${"q".repeat(40)}"... (100 characters): expected txt or csv\n`,
  );
});
