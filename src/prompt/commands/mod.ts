/**
 * The prompt's commands, as an explicit registry (no registration by import
 * side effect): a plain list, one line per command. Later issues add
 * tracker, policy, pidwatcher and routines (each in its own file, one
 * import and one line here).
 *
 * @module
 */
import type { PromptCommand } from "../command.ts";
import { helpCommand, logCommand, nopCommand, quitCommand, timeCommand } from "./basic.ts";
import { moverCommand } from "./mover.ts";
import { arangeCommand, pagesCommand } from "./pages.ts";
import { policyCommand } from "./policy.ts";
import { routinesCommand } from "./routines.ts";
import { pidwatcherCommand } from "./pidwatcher.ts";
import { statsCommand } from "./stats.ts";
import { swapCommand } from "./swap.ts";
import { trackerCommand } from "./tracker.ts";
import { tiersCommand } from "./tiers.ts";
import { pictureCommand } from "./picture.ts";

/** Every built-in command. */
export function builtinCommands(): PromptCommand[] {
  return [
    quitCommand,
    nopCommand,
    helpCommand,
    logCommand,
    timeCommand,
    arangeCommand,
    pagesCommand,
    swapCommand,
    moverCommand,
    statsCommand,
    policyCommand,
    routinesCommand,
    pidwatcherCommand,
    trackerCommand,
    tiersCommand,
    pictureCommand,
  ];
}
