/** A connector turns a platform's events into IncomingMessage + ReplySink and meets its deadlines. */
export interface Connector {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
