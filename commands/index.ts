/** Every command, in the order help and slash-command menus show them. Listed explicitly: code is imported, not scanned. */
import type { Command } from "../src/core/command.js";
import { askCommand } from "./ask.js";
import { feedbackCommand } from "./feedback.js";
import { forgetMeCommand } from "./forget-me.js";
import { helpCommand } from "./help.js";
import { personaCommand } from "./persona.js";
import { resetCommand } from "./reset.js";
import { sourcesCommand } from "./sources.js";

export const commands: readonly Command[] = [
  askCommand,
  personaCommand,
  resetCommand,
  sourcesCommand,
  feedbackCommand,
  forgetMeCommand,
  helpCommand,
];
