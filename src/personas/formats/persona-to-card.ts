/**
 * A persona → a Character Card V3, and the V2 copy a PNG carries beside it for older readers.
 * The mapping and the kept originals are card-fields.ts's; this file adds the envelope.
 */
import type { Persona } from "../../core/persona.js";
import { asRecord, cardDataFromPersona } from "./card-fields.js";
import { CARD_V2_SPEC, CARD_V3_SPEC, V3_ONLY_FIELDS } from "./card-schema.js";
import type { PersonaDraft } from "./persona-draft.js";

export interface CardJson {
  spec: typeof CARD_V2_SPEC | typeof CARD_V3_SPEC;
  spec_version: string;
  data: Record<string, unknown>;
}

export function personaToCard(persona: Persona, draft: PersonaDraft): CardJson {
  const originals = asRecord(draft.frontMatter.extensions?.card);
  const side = { frontMatter: draft.frontMatter, body: draft.body, persona };
  return { spec: CARD_V3_SPEC, spec_version: "3.0", data: cardDataFromPersona(side, originals) };
}

export function cardV2Of(card: CardJson): CardJson {
  const data = { ...card.data };
  for (const field of V3_ONLY_FIELDS) delete data[field];
  return { spec: CARD_V2_SPEC, spec_version: "2.0", data };
}
