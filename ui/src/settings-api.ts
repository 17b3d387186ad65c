// Typed wrappers over the shell's Pengaturan, Beranda and SSO SDS commands (src-tauri/src/connection.rs,
// preferences.rs, dashboard.rs, sso.rs). The Web Service key only ever goes *to* the shell
// (`saveProfileKey`); nothing here returns it — a profile carries `has_key` only.

import { invoke } from "@tauri-apps/api/core";
import { ApiError } from "./api";

export type ProfileKind = "webservice" | "sso_sds" | "demo";
export const PROFILE_KINDS: ProfileKind[] = ["webservice", "sso_sds", "demo"];

export interface ConnectionCheck {
  at: number;
  ok: boolean;
  code: string | null;
}

export interface ProfileInput {
  name: string;
  kind: ProfileKind;
  host: string;
  port: number | null;
  install_dir: string | null;
  npsn: string;
  sso_issuer: string;
  sso_client_id: string;
  sso_scopes: string[];
  sso_data_endpoint: string;
}

export interface Profile extends ProfileInput {
  id: number;
  uid: string;
  active: boolean;
  last_check: ConnectionCheck | null;
  created_at: number;
  updated_at: number;
  base_url: string | null;
  has_key: boolean;
}

export interface ProfilesView {
  profiles: Profile[];
  env_override: boolean;
  keychain_error: string | null;
}

export interface DetectedPort {
  port: number;
  from: "install_ini" | "default";
  path?: string;
  install_dir: string;
}

export interface CheckStep {
  name: string;
  label: string;
  ok: boolean;
  code: string | null;
  message: string;
}

export interface CheckReport {
  ok: boolean;
  steps: CheckStep[];
}

export type Language = "id" | "en";

export interface Preferences {
  language: Language;
  schedule_minutes: number | null;
  max_attempts: number;
  data_dir: string;
  log_dir: string;
}

export interface PreferencesUpdate {
  language?: Language;
  schedule_minutes?: number;
  max_attempts?: number;
}

export interface DecisionsWaiting {
  batch_id: number;
  conflicts: number;
  undecided: number;
}

export interface Dashboard {
  connection: {
    mode: "demo" | "real";
    profile_name: string | null;
    profile_id: number | null;
    kind: ProfileKind | null;
    target: string;
    npsn: string;
    last_check: ConnectionCheck | null;
    from_environment: boolean;
  };
  schedule_minutes: number | null;
  next_scheduled_at: number | null;
  next_retry_at: number | null;
  decisions: DecisionsWaiting | null;
}

export interface Operator {
  subject: string;
  name: string | null;
  npsn: string | null;
  roles: string[];
  ptk_id: string | null;
}

export interface SsoStatus {
  configured: boolean;
  operator: Operator | null;
}

function toApiError(err: unknown): ApiError {
  if (err && typeof err === "object" && "code" in err && "message" in err) {
    const e = err as { code: unknown; message: unknown };
    return new ApiError(String(e.code), String(e.message));
  }
  return new ApiError("internal", typeof err === "string" ? err : String(err));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export const settingsApi = {
  listProfiles: () => call<ProfilesView>("list_profiles"),
  createProfile: (input: ProfileInput) => call<Profile>("create_profile", { input }),
  updateProfile: (id: number, input: ProfileInput) => call<Profile>("update_profile", { id, input }),
  deleteProfile: (id: number) => call<void>("delete_profile", { id }),
  activateProfile: (id: number | null) => call<void>("activate_profile", { id }),
  /** Sends the key to the OS keychain; the answer holds `has_key`, never the key. */
  saveProfileKey: (id: number, key: string) => call<Profile>("save_profile_key", { id, key }),
  detectPort: (installDir: string | null) => call<DetectedPort>("detect_port", { installDir }),
  testConnection: (id: number) => call<CheckReport>("test_connection", { id }),
  getPreferences: () => call<Preferences>("get_preferences"),
  setPreferences: (update: PreferencesUpdate) => call<Preferences>("set_preferences", { update }),
  openFolder: (which: "data" | "logs") => call<void>("open_folder", { which }),
  dashboard: () => call<Dashboard>("dashboard"),
  ssoStatus: (id: number) => call<SsoStatus>("sso_status", { id }),
  ssoSignIn: (id: number) => call<SsoStatus>("sso_sign_in", { id }),
  ssoSignOut: (id: number) => call<SsoStatus>("sso_sign_out", { id }),
};
