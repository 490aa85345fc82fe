import { assertEquals } from "../testing/assert.ts";
import { FailureReport } from "./failure_report.ts";
import { Logger } from "./logger.ts";

Deno.test("FailureReport logs a failure when it starts and when it changes, counts repeats, and says when it works again", () => {
  const log: string[] = [];
  const r = new FailureReport("step", new Logger((t) => log.push(t)));
  r.worked();
  r.failed("disk full");
  r.failed("disk full");
  assertEquals(r.failedRounds, 2);
  r.failed("closed");
  r.failed("closed");
  r.worked();
  assertEquals(r.failedRounds, 0);
  r.failed("closed");
  r.worked();
  r.worked();
  assertEquals(log, [
    "ERROR: step: disk full\n",
    "ERROR: step: closed\n",
    "INFO: step: works again after 4 failed rounds\n",
    "ERROR: step: closed\n",
    "INFO: step: works again after 1 failed round\n",
  ]);
});
