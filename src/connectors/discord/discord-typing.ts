/**
 * "Bot is typing…" until the answer's first words arrive. Discord shows the indicator for about 10
 * seconds per call, so it is sent again every 8 seconds. It starts only once the model has been
 * silent for a second: a quick answer needs no indicator, and the call would spend a request of the
 * bot's global budget (50 per second) that 50 answers starting at once need for their messages. It
 * does not spend the channel's write budget. A refusal stops it (and is reported once).
 */
import { type REST, Routes } from "discord.js";

const FIRST_AFTER_MS = 1_000;
const REPEAT_MS = 8_000;

export function startTyping(rest: REST, channelId: string, onError: (error: unknown) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    if (stopped) return;
    rest.post(Routes.channelTyping(channelId)).catch((error: unknown) => {
      if (stopped) return;
      stop();
      onError(error);
    });
    timer = setTimeout(send, REPEAT_MS);
    timer.unref();
  };
  function stop() {
    stopped = true;
    clearTimeout(timer);
  }
  timer = setTimeout(send, FIRST_AFTER_MS);
  timer.unref();
  return stop;
}
