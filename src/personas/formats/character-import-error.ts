/**
 * Why a file could not be imported, said so its owner can act: the file and what is wrong with it
 * (`card.png: the PNG has no character card in it (no "chara" or "ccv3" text chunk)`).
 */
export class CharacterImportError extends Error {
  override readonly name = "CharacterImportError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** zod's first issue as one clause: `data.name: the character has no name`. */
export function firstIssueText(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (issue === undefined) return "is not valid";
  const path = issue.path.map(String).join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}
