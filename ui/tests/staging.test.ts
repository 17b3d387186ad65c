import { describe, expect, it } from "vitest";
import { orderFields } from "../src/screens/staging";
import { fieldLabel, mask } from "../src/labels";

describe("staging detail", () => {
  it("lists the identity and key fields first, the rest alphabetically", () => {
    const keys = ["alamat_jalan", "nik", "agama_id", "peserta_didik_id", "nama", "zz", "nisn"];
    expect(orderFields("peserta_didik", keys)).toEqual(["peserta_didik_id", "nama", "nisn", "nik", "agama_id", "alamat_jalan", "zz"]);
    expect(orderFields("gtk", ["nama", "ptk_id", "nip"])).toEqual(["ptk_id", "nama", "nip"]);
  });

  it("labels fields readably and masks identifiers", () => {
    expect(fieldLabel("tanggal_lahir")).toBe("Tanggal lahir");
    expect(fieldLabel("nisn")).toBe("NISN");
    expect(fieldLabel("agama_id_str")).toBe("Agama ID (teks)");
    expect(mask("3201234567890001")).toBe("3201********0001");
    expect(mask("0012345678")).toBe("00******78");
    expect(mask("123")).toBe("•••");
  });
});
