//! Writing ISO/IEC 14496-12 boxes into a `Vec<u8>`: a size placeholder, the type, the body, then
//! the size patched in once the body is known, so nested boxes never need their sizes computed
//! ahead of time.

/// Big-endian field writers for the box bodies.
pub(crate) trait Put {
    fn u8(&mut self, v: u8);
    fn u16(&mut self, v: u16);
    fn u24(&mut self, v: u32);
    fn u32(&mut self, v: u32);
    fn u64(&mut self, v: u64);
    fn zeros(&mut self, n: usize);
}

impl Put for Vec<u8> {
    fn u8(&mut self, v: u8) {
        self.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn u24(&mut self, v: u32) {
        debug_assert!(v < 1 << 24);
        self.extend_from_slice(&v.to_be_bytes()[1..]);
    }
    fn u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn zeros(&mut self, n: usize) {
        self.resize(self.len() + n, 0);
    }
}

/// Writes a box (§4.2 `Box`) whose body `body` appends.
///
/// # Panics
/// If the box reaches 4 GiB: the 32-bit size cannot hold it. Only a caller that puts gigabytes
/// into one chunk gets there; see [`crate::fragment`].
pub(crate) fn write_box(out: &mut Vec<u8>, kind: &[u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.u32(0);
    out.extend_from_slice(kind);
    body(out);
    let size = u32::try_from(out.len() - start)
        .unwrap_or_else(|_| panic!("{} box of 4 GiB or more", String::from_utf8_lossy(kind)));
    out[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

/// Writes a full box (§4.2 `FullBox`): a box whose body starts with a version and 24 flag bits.
pub(crate) fn write_full_box(
    out: &mut Vec<u8>,
    kind: &[u8; 4],
    version: u8,
    flags: u32,
    body: impl FnOnce(&mut Vec<u8>),
) {
    write_box(out, kind, |out| {
        out.u8(version);
        out.u24(flags);
        body(out);
    });
}

/// The unity transformation matrix of `mvhd` and `tkhd` (§8.2.2.3): 16.16 ones on the diagonal
/// and 2.30 for the last element.
pub(crate) fn unity_matrix(out: &mut Vec<u8>) {
    for v in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        out.u32(v);
    }
}
