import { assertEquals } from "../testing/assert.ts";
import { harness } from "./_harness.ts";
import { editorLineSource, interact, type LineEditor } from "./interact.ts";

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
