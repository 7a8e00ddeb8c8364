/**
 * A parsed Character Card (V2 or V3) → a persona draft: the fields card-fields.ts maps, the persona
 * name made from the character's name, the short description Discord shows made from the creator's
 * notes (or the description), persona fields an earlier troupe export carried in
 * `extensions.troupe`, and under `extensions.card` every original the persona cannot give back.
 */
import { renderMacros } from "../../core/persona-macros.js";
import { defaultDescription } from "../parser/persona-defaults.js";
import type { PersonaFrontMatter } from "../parser/persona-schema.js";
import {
  asRecord,
  cardOriginals,
  personaFieldsFromCard,
  type TroupeExtension,
  troupeExtensionSchema,
  withoutUndefined,
} from "./card-fields.js";
import type { Card } from "./card-schema.js";
import { CharacterImportError } from "./character-import-error.js";
import type { PersonaDraft } from "./persona-draft.js";
import { personaNameFor } from "./persona-name.js";

export function cardToPersona(card: Card, file: string, fallbackName: string | undefined): PersonaDraft {
  const data = card.data as Record<string, unknown>;
  const cardExtensions = asRecord(data.extensions);
  const troupeRead = troupeExtensionSchema.safeParse(cardExtensions.troupe);
  const troupe: TroupeExtension = troupeRead.success ? troupeRead.data : {};
  // A card from anywhere may name a picture only by web address, never a path on this machine.
  if (troupe.avatar !== undefined && !/^https?:\/\//i.test(troupe.avatar)) delete troupe.avatar;
  // An extensions.troupe this version cannot read is kept as it came, like any other extension.
  const { troupe: _troupe, ...otherExtensions } = cardExtensions;
  const keptExtensions = troupeRead.success ? otherExtensions : cardExtensions;

  const { fields, body } = personaFieldsFromCard(data);
  const name = troupe.name ?? personaNameFor(card.data.name) ?? fallbackName;
  if (name === undefined) {
    throw new CharacterImportError(
      file,
      `cannot make a persona name (a-z, 0-9 and '-') from the character's name ${JSON.stringify(card.data.name)} or the file name: rename the file, e.g. to "my-character.png"`,
    );
  }
  const displayName = fields.display_name ?? card.data.name;
  const frontMatter: PersonaFrontMatter = withoutUndefined({
    ...fields,
    ...troupe,
    name,
    description: troupe.description ?? shortDescription(card.data, displayName),
  });
  const side = {
    frontMatter,
    body,
    persona: {
      displayName,
      description: frontMatter.description ?? defaultDescription(body),
      greeting: frontMatter.greeting,
    },
  };
  const originals = cardOriginals(data, side, keptExtensions);
  if (Object.keys(originals).length > 0) {
    frontMatter.extensions = { ...frontMatter.extensions, card: originals };
  }
  return { frontMatter, body };
}

/** Discord's 100 characters: the creator's notes' first line, else the description's first sentence. */
function shortDescription(
  data: { creator_notes?: string | undefined; description?: string | undefined },
  displayName: string,
): string | undefined {
  const notesLine = (data.creator_notes ?? "").split("\n").find((line) => line.trim() !== "");
  const source = notesLine ?? data.description ?? "";
  const description = defaultDescription(renderMacros(source, { char: displayName }));
  return description === "" ? undefined : description;
}
