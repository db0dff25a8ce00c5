//! Packages the scanner for Lambda: a zip holding the binary as `bootstrap`, stored under
//! a key named after the binary's SHA-256, so an unchanged binary is never uploaded or
//! redeployed twice.

use std::io::{Cursor, Write};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// A Lambda deployment package.
#[derive(Debug, Clone)]
pub struct Package {
    /// Where it goes in the stack's artifact bucket.
    pub key: String,
    pub zip: Vec<u8>,
}

/// Checks that `binary` can run on the stack's Lambda (x86-64 Linux, ELF) and zips it.
pub fn package(binary: &[u8]) -> Result<Package, String> {
    const ELF: &[u8] = b"\x7fELF";
    const X86_64: u16 = 0x3e;
    if binary.len() < 20 || &binary[..4] != ELF {
        return Err("it is not a Linux (ELF) executable".to_string());
    }
    let machine = u16::from_le_bytes([binary[18], binary[19]]);
    if binary[4] != 2 || machine != X86_64 {
        return Err(
            "it is not an x86-64 executable, the architecture the stack's Lambda runs".to_string(),
        );
    }
    let digest = Sha256::digest(binary);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o755);
    let written = zip
        .start_file("bootstrap", options)
        .and_then(|()| zip.write_all(binary).map_err(Into::into))
        .and_then(|()| zip.finish());
    let bytes = written
        .map_err(|e| format!("it could not be zipped: {e}"))?
        .into_inner();
    Ok(Package {
        key: format!("lambda/compliance-{hex}.zip"),
        zip: bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn elf_x86_64() -> Vec<u8> {
        let mut b = vec![0u8; 64];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = 2;
        b[18] = 0x3e;
        b
    }

    #[test]
    fn the_zip_holds_an_executable_bootstrap() {
        let binary = elf_x86_64();
        let pkg = package(&binary).unwrap();
        assert!(pkg.key.starts_with("lambda/compliance-") && pkg.key.ends_with(".zip"));
        let mut archive = zip::ZipArchive::new(Cursor::new(pkg.zip)).unwrap();
        let mut file = archive.by_name("bootstrap").unwrap();
        assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o755));
        let mut back = Vec::new();
        file.read_to_end(&mut back).unwrap();
        assert_eq!(back, binary);
    }

    #[test]
    fn the_key_follows_the_content() {
        let a = package(&elf_x86_64()).unwrap().key;
        let mut other = elf_x86_64();
        other[40] = 1;
        assert_eq!(a, package(&elf_x86_64()).unwrap().key);
        assert_ne!(a, package(&other).unwrap().key);
    }

    #[test]
    fn other_executables_are_refused() {
        assert!(package(b"#!/bin/sh\necho hi\n")
            .unwrap_err()
            .contains("not a Linux (ELF)"));
        let mut arm = elf_x86_64();
        arm[18] = 0xb7;
        assert!(package(&arm).unwrap_err().contains("not an x86-64"));
    }
}
