// Indonesian labels for the core's codes (statuses, entities, Web Service functions, record fields).

import type { BatchStatus, Entity, StagingStatus } from "./api";
import { t, type MessageKey } from "./i18n";

export function batchStatusLabel(status: BatchStatus): string {
  return t(`batchStatus.${status}` as MessageKey);
}

export function stagingStatusLabel(status: StagingStatus): string {
  return t(`stagingStatus.${status}` as MessageKey);
}

export function entityLabel(entity: Entity): string {
  return t(`entity.${entity}` as MessageKey);
}

const FUNCTION_ENTITY: Record<string, Entity> = {
  getSekolah: "sekolah",
  getPesertaDidik: "peserta_didik",
  getGtk: "gtk",
  getRombonganBelajar: "rombongan_belajar",
};

/** "getPesertaDidik" → "Peserta Didik"; unknown names are shown as they are. */
export function functionLabel(name: string): string {
  const entity = FUNCTION_ENTITY[name];
  return entity ? entityLabel(entity) : name;
}

/** The Web Service functions in the order a pull calls them. */
export const FUNCTIONS = Object.keys(FUNCTION_ENTITY);

export function functionOrder(name: string): number {
  const index = FUNCTIONS.indexOf(name);
  return index < 0 ? 99 : index;
}

const ACRONYMS = new Set(["id", "nik", "nisn", "nipd", "nuptk", "nip", "npsn", "nss", "ptk", "rt", "rw", "kk", "sk", "pd", "gtk", "sks"]);

/** A readable label for a Web Service field name: "tanggal_lahir" → "Tanggal lahir", "nisn" → "NISN". */
export function fieldLabel(key: string): string {
  let name = key;
  let suffix = "";
  if (name.endsWith("_str")) {
    name = name.slice(0, -4);
    suffix = ` (${t("field.textSuffix")})`;
  }
  const words = name.split("_").filter((w) => w.length > 0);
  const text = words
    .map((w, i) => (ACRONYMS.has(w) ? w.toUpperCase() : i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(" ");
  return text + suffix;
}

/** Identifiers of a person, masked in the detail view until the operator chooses to show them. */
const SENSITIVE = new Set(["nik", "nisn", "nuptk", "nip", "no_kk", "nik_ayah", "nik_ibu", "nik_wali", "no_kks", "no_kip", "no_kps"]);

export function isSensitiveField(key: string): boolean {
  return SENSITIVE.has(key);
}

/** "3201234567890001" → "3201********0001", "0012345678" → "00******78"; short values are masked entirely. */
export function mask(value: string): string {
  if (value.length <= 6) return "•".repeat(value.length);
  const keep = value.length >= 16 ? 4 : 2;
  return value.slice(0, keep) + "*".repeat(value.length - 2 * keep) + value.slice(-keep);
}
