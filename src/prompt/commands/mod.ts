/**
 * The prompt's commands, as an explicit registry (no registration by import
 * side effect). Later issues add tracker, policy, pidwatcher and routines.
 *
 * @module
 */
import type { PromptCommand } from "../command.ts";
import { helpCommand, logCommand, nopCommand, quitCommand, timeCommand } from "./basic.ts";
import { moverCommand } from "./mover.ts";
import { arangeCommand, pagesCommand } from "./pages.ts";
import { pidwatcherCommand } from "./pidwatcher.ts";
import { statsCommand } from "./stats.ts";
import { swapCommand } from "./swap.ts";

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
    pidwatcherCommand,
  ];
}
