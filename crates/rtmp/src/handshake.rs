//! The RTMP handshake (RTMP 1.0 specification §5.2): C0/C1/C2 from the client, S0/S1/S2 from the
//! server, each of C1/C2/S1/S2 1536 bytes.
//!
//! Besides the plain handshake of the specification, the server answers the digest handshake
//! introduced with Flash Player 9 (often called "complex"): the client hides an HMAC-SHA256
//! digest, keyed with the *Genuine Adobe Flash Player 001* string, inside C1 at one of two
//! offset schemes (digest block at byte 8 or at byte 772). Clients that send one may check that
//! S1 carries a digest made with the *Genuine Adobe Flash Media Server 001* key and that S2 is
//! signed with a key derived from the C1 digest, so the server produces both. A C1 without a
//! valid digest gets the plain answer: S2 echoes C1.
//!
//! Randomness comes from a caller-supplied seed, keeping this module free of I/O and clocks.

use bytes::{BufMut, BytesMut};

use crate::Error;
use crate::sha256::hmac_sha256;

/// Size of C1, C2, S1 and S2.
pub const PACKET_SIZE: usize = 1536;
/// The only version byte in C0/S0 this crate speaks: plain, unencrypted RTMP.
pub const RTMP_VERSION: u8 = 3;

const DIGEST_LEN: usize = 32;
/// The 32 bytes appended to both textual keys to form the keys that derive the S2/C2 signature.
const KEY_SUFFIX: [u8; 32] = [
    0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
    0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
];
const FP_KEY_TEXT: &[u8; 30] = b"Genuine Adobe Flash Player 001";
const FMS_KEY_TEXT: &[u8; 36] = b"Genuine Adobe Flash Media Server 001";
/// Version field the server writes into a digest S1 (FMS 3.5-era servers put a non-zero version
/// here; clients only check that it is non-zero before looking for a digest).
const SERVER_VERSION: [u8; 4] = [0x0D, 0x0E, 0x0A, 0x0D];
/// Version field our client writes into a digest C1 (a Flash Player 9 version, as ffmpeg sends).
const CLIENT_VERSION: [u8; 4] = [0x09, 0x00, 0x7C, 0x02];

fn full_key(text: &[u8]) -> Vec<u8> {
    [text, &KEY_SUFFIX[..]].concat()
}

/// Where the digest block starts: at byte 8 (digest block first) or 772 (key block first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestScheme {
    /// Digest block at offset 8 of C1/S1.
    Offset8,
    /// Digest block at offset 772 of C1/S1.
    Offset772,
}

impl DigestScheme {
    fn base(self) -> usize {
        match self {
            DigestScheme::Offset8 => 8,
            DigestScheme::Offset772 => 772,
        }
    }

    /// Position of the 32 digest bytes: the four bytes at the block start, summed, modulo 728
    /// (764-byte block less the 4 offset bytes and the 32 digest bytes).
    pub fn digest_position(self, packet: &[u8]) -> usize {
        let b = self.base();
        let sum: usize = packet[b..b + 4].iter().map(|&x| x as usize).sum();
        sum % 728 + b + 4
    }
}

/// Which handshake the server answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeKind {
    /// The specification's handshake: C1 had no valid digest, and S2 echoes it.
    Plain,
    /// The digest handshake, with C1's digest found at this scheme's offset.
    Digest(DigestScheme),
}

/// HMAC of the packet without the digest bytes at `pos`.
fn packet_digest(packet: &[u8], pos: usize, key: &[u8]) -> [u8; DIGEST_LEN] {
    hmac_sha256(
        key,
        &[&packet[..pos], &packet[pos + DIGEST_LEN..PACKET_SIZE]],
    )
}

/// Finds a valid digest in a C1 (`key` = Flash Player key) or S1 (`key` = server key) and
/// returns its scheme and the digest.
pub fn find_digest(packet: &[u8], key_text: &[u8]) -> Option<(DigestScheme, [u8; DIGEST_LEN])> {
    if packet.len() < PACKET_SIZE {
        return None;
    }
    [DigestScheme::Offset772, DigestScheme::Offset8]
        .into_iter()
        .find_map(|scheme| {
            let pos = scheme.digest_position(packet);
            let want = packet_digest(packet, pos, key_text);
            (packet[pos..pos + DIGEST_LEN] == want).then_some((scheme, want))
        })
}

/// Writes a digest into `packet` (1536 bytes, random already filled) using `scheme`.
fn imprint_digest(packet: &mut [u8], scheme: DigestScheme, key_text: &[u8]) -> [u8; DIGEST_LEN] {
    let pos = scheme.digest_position(packet);
    let d = packet_digest(packet, pos, key_text);
    packet[pos..pos + DIGEST_LEN].copy_from_slice(&d);
    d
}

/// Signs the last 32 bytes of a C2/S2 with a key derived from the peer's C1/S1 digest.
fn sign_response(packet: &mut [u8], full_key_text: &[u8], peer_digest: &[u8]) {
    let key = hmac_sha256(&full_key(full_key_text), &[peer_digest]);
    let sig = hmac_sha256(&key, &[&packet[..PACKET_SIZE - DIGEST_LEN]]);
    packet[PACKET_SIZE - DIGEST_LEN..PACKET_SIZE].copy_from_slice(&sig);
}

fn response_signature_ok(packet: &[u8], full_key_text: &[u8], own_digest: &[u8]) -> bool {
    let key = hmac_sha256(&full_key(full_key_text), &[own_digest]);
    let sig = hmac_sha256(&key, &[&packet[..PACKET_SIZE - DIGEST_LEN]]);
    packet[PACKET_SIZE - DIGEST_LEN..PACKET_SIZE] == sig
}

/// A small deterministic generator (splitmix64) for the random parts of C1/S1/S2. Handshake
/// bytes need not be unpredictable: nothing in plain RTMP relies on them as a secret.
#[derive(Debug, Clone)]
pub(crate) struct Filler(u64);

impl Filler {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for c in buf.chunks_mut(8) {
            let r = self.next_u64().to_le_bytes();
            c.copy_from_slice(&r[..c.len()]);
        }
    }
}

/// Builds S0+S1+S2 for a given C1. Public so that tests can check the answer byte by byte.
pub fn server_response(c1: &[u8], seed: u64) -> (HandshakeKind, Vec<u8>) {
    let mut rng = Filler::new(seed);
    let mut out = vec![0u8; 1 + 2 * PACKET_SIZE];
    out[0] = RTMP_VERSION;
    let (s1, s2) = out[1..].split_at_mut(PACKET_SIZE);
    // S1 time field stays 0: the specification allows any epoch, and 0 is what most servers send.
    rng.fill(&mut s1[8..]);
    let client_digest = if c1[4..8] != [0, 0, 0, 0] {
        find_digest(c1, FP_KEY_TEXT)
    } else {
        None
    };
    match client_digest {
        Some((scheme, digest)) => {
            s1[4..8].copy_from_slice(&SERVER_VERSION);
            imprint_digest(s1, scheme, FMS_KEY_TEXT);
            rng.fill(&mut s2[..PACKET_SIZE - DIGEST_LEN]);
            sign_response(s2, FMS_KEY_TEXT, &digest);
            (HandshakeKind::Digest(scheme), out)
        }
        None => {
            // Plain handshake: S2 echoes C1 (§5.2.4).
            s2.copy_from_slice(&c1[..PACKET_SIZE]);
            (HandshakeKind::Plain, out)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerState {
    /// Waiting for C0 and C1.
    C0C1,
    /// S0/S1/S2 sent; waiting for C2.
    C2,
    Done,
}

/// Server side of the handshake. Feed it client bytes; it writes S0/S1/S2 once C0/C1 are in and
/// reports completion once C2 has been read.
#[derive(Debug)]
pub struct ServerHandshake {
    state: ServerState,
    buf: Vec<u8>,
    seed: u64,
    kind: Option<HandshakeKind>,
}

impl ServerHandshake {
    /// A handshake waiting for C0 and C1; `seed` seeds the random bytes of its answer.
    pub fn new(seed: u64) -> Self {
        Self {
            state: ServerState::C0C1,
            buf: Vec::new(),
            seed,
            kind: None,
        }
    }

    /// True once C2 has been read: what follows is the chunk stream.
    pub fn is_done(&self) -> bool {
        self.state == ServerState::Done
    }

    /// Which answer was sent, once C1 has been read.
    pub fn kind(&self) -> Option<HandshakeKind> {
        self.kind
    }

    /// Consumes handshake bytes from `input`, writing the server's reply to `out`. Returns how
    /// many bytes were consumed; bytes after C2 belong to the chunk stream and are left alone.
    pub fn feed(&mut self, input: &[u8], out: &mut BytesMut) -> Result<usize, Error> {
        let mut used = 0;
        while used < input.len() && self.state != ServerState::Done {
            let need = match self.state {
                ServerState::C0C1 => 1 + PACKET_SIZE,
                _ => PACKET_SIZE,
            };
            let n = (need - self.buf.len()).min(input.len() - used);
            if self.state == ServerState::C0C1 && self.buf.is_empty() && input[used] != RTMP_VERSION
            {
                return Err(Error::UnsupportedVersion(input[used]));
            }
            self.buf.extend_from_slice(&input[used..used + n]);
            used += n;
            if self.buf.len() < need {
                break;
            }
            match self.state {
                ServerState::C0C1 => {
                    let (kind, reply) = server_response(&self.buf[1..], self.seed);
                    self.kind = Some(kind);
                    out.put_slice(&reply);
                    self.state = ServerState::C2;
                }
                // C2 should echo S1 (or be signed with our digest); clients get this wrong
                // often enough that servers do not check it, and nothing depends on it.
                _ => self.state = ServerState::Done,
            }
            self.buf.clear();
        }
        Ok(used)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientState {
    /// C0/C1 sent; waiting for S0, S1 and S2.
    S0S1S2,
    Done,
}

/// Client side of the handshake, used by liboo's own test publisher.
#[derive(Debug)]
pub struct ClientHandshake {
    state: ClientState,
    c1_digest: Option<[u8; DIGEST_LEN]>,
    buf: Vec<u8>,
    rng: Filler,
}

impl ClientHandshake {
    /// Writes C0 and C1 to `out`. With `digest`, C1 carries a Flash Player digest (offset-8
    /// scheme) and the server's S1 digest and S2 signature are verified.
    pub fn start(seed: u64, digest: bool, out: &mut BytesMut) -> Self {
        let mut rng = Filler::new(seed);
        let mut c1 = vec![0u8; PACKET_SIZE];
        rng.fill(&mut c1[8..]);
        let c1_digest = digest.then(|| {
            c1[4..8].copy_from_slice(&CLIENT_VERSION);
            imprint_digest(&mut c1, DigestScheme::Offset8, FP_KEY_TEXT)
        });
        out.put_u8(RTMP_VERSION);
        out.put_slice(&c1);
        Self {
            state: ClientState::S0S1S2,
            c1_digest,
            buf: Vec::new(),
            rng,
        }
    }

    /// True once S0, S1 and S2 have been read and C2 written: what follows is the chunk
    /// stream.
    pub fn is_done(&self) -> bool {
        self.state == ClientState::Done
    }

    /// Consumes S0/S1/S2 from `input`, writing C2 to `out` once they are complete. Returns the
    /// number of bytes consumed.
    pub fn feed(&mut self, input: &[u8], out: &mut BytesMut) -> Result<usize, Error> {
        if self.state == ClientState::Done {
            return Ok(0);
        }
        let need = 1 + 2 * PACKET_SIZE;
        if self.buf.is_empty() && !input.is_empty() && input[0] != RTMP_VERSION {
            return Err(Error::UnsupportedVersion(input[0]));
        }
        let n = (need - self.buf.len()).min(input.len());
        self.buf.extend_from_slice(&input[..n]);
        if self.buf.len() < need {
            return Ok(n);
        }
        let s1 = &self.buf[1..1 + PACKET_SIZE];
        let s2 = &self.buf[1 + PACKET_SIZE..];
        let mut c2 = vec![0u8; PACKET_SIZE];
        match self.c1_digest {
            Some(c1_digest) => {
                let Some((_, s1_digest)) = find_digest(s1, FMS_KEY_TEXT) else {
                    return Err(Error::HandshakeVerification(
                        "S1 has no valid server digest",
                    ));
                };
                if !response_signature_ok(s2, FMS_KEY_TEXT, &c1_digest) {
                    return Err(Error::HandshakeVerification(
                        "S2 signature does not match C1",
                    ));
                }
                self.rng.fill(&mut c2[..PACKET_SIZE - DIGEST_LEN]);
                sign_response(&mut c2, FP_KEY_TEXT, &s1_digest);
            }
            None => {
                // Plain handshake: C2 echoes S1. S2 is not compared with C1 because servers
                // rewrite its second time field.
                c2.copy_from_slice(s1);
            }
        }
        out.put_slice(&c2);
        self.state = ClientState::Done;
        self.buf = Vec::new();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c1(version: [u8; 4], digest: Option<DigestScheme>) -> Vec<u8> {
        let mut c1 = vec![0u8; PACKET_SIZE];
        Filler::new(7).fill(&mut c1[8..]);
        c1[4..8].copy_from_slice(&version);
        if let Some(scheme) = digest {
            imprint_digest(&mut c1, scheme, FP_KEY_TEXT);
        }
        c1
    }

    #[test]
    fn server_answers_table() {
        let cases = [
            (
                "plain: zero version",
                c1([0; 4], None),
                HandshakeKind::Plain,
            ),
            (
                "non-zero version but no digest",
                c1(CLIENT_VERSION, None),
                HandshakeKind::Plain,
            ),
            (
                "digest at offset 8",
                c1(CLIENT_VERSION, Some(DigestScheme::Offset8)),
                HandshakeKind::Digest(DigestScheme::Offset8),
            ),
            (
                "digest at offset 772",
                c1(CLIENT_VERSION, Some(DigestScheme::Offset772)),
                HandshakeKind::Digest(DigestScheme::Offset772),
            ),
        ];
        for (name, c1, want) in cases {
            let (kind, reply) = server_response(&c1, 42);
            assert_eq!(kind, want, "{name}");
            assert_eq!(reply.len(), 1 + 2 * PACKET_SIZE, "{name}");
            assert_eq!(reply[0], RTMP_VERSION, "{name}: S0");
            let (s1, s2) = reply[1..].split_at(PACKET_SIZE);
            match kind {
                HandshakeKind::Plain => {
                    assert_eq!(s2, &c1[..], "{name}: S2 echoes C1");
                    assert_eq!(&s1[4..8], &[0; 4], "{name}: plain S1 has zero version");
                }
                HandshakeKind::Digest(scheme) => {
                    let (s1_scheme, _) = find_digest(s1, FMS_KEY_TEXT).expect("S1 digest");
                    assert_eq!(s1_scheme, scheme, "{name}: S1 uses the client's scheme");
                    let (_, c1_digest) = find_digest(&c1, FP_KEY_TEXT).unwrap();
                    assert!(
                        response_signature_ok(s2, FMS_KEY_TEXT, &c1_digest),
                        "{name}: S2"
                    );
                }
            }
        }
    }

    #[test]
    fn digest_position_table() {
        let mut p = vec![0u8; PACKET_SIZE];
        p[8..12].copy_from_slice(&[1, 2, 3, 4]); // sum 10
        p[772..776].copy_from_slice(&[255, 255, 255, 255]); // sum 1020, mod 728 = 292
        assert_eq!(DigestScheme::Offset8.digest_position(&p), 10 + 12);
        assert_eq!(DigestScheme::Offset772.digest_position(&p), 292 + 776);
    }

    #[test]
    fn wrong_version_is_refused() {
        let mut out = BytesMut::new();
        let mut hs = ServerHandshake::new(1);
        assert_eq!(hs.feed(&[6], &mut out), Err(Error::UnsupportedVersion(6)));
    }

    fn pump(digest: bool, step: usize) {
        let mut to_server = BytesMut::new();
        let mut client = ClientHandshake::start(3, digest, &mut to_server);
        let mut server = ServerHandshake::new(4);
        let mut to_client = BytesMut::new();
        // Trailing bytes after C2 must be left for the chunk stream.
        for chunk in to_server.clone().chunks(step) {
            assert_eq!(server.feed(chunk, &mut to_client).unwrap(), chunk.len());
        }
        let want = if digest {
            HandshakeKind::Digest(DigestScheme::Offset8)
        } else {
            HandshakeKind::Plain
        };
        assert_eq!(server.kind(), Some(want));
        let mut c2 = BytesMut::new();
        for chunk in to_client.chunks(step) {
            client.feed(chunk, &mut c2).unwrap();
        }
        assert!(client.is_done());
        c2.extend_from_slice(b"rest");
        let mut n = 0;
        for chunk in c2.chunks(step) {
            n += server.feed(chunk, &mut to_client).unwrap();
        }
        assert!(server.is_done());
        assert_eq!(n, PACKET_SIZE);
    }

    #[test]
    fn client_and_server_agree() {
        for digest in [false, true] {
            for step in [1, 100, 5000] {
                pump(digest, step);
            }
        }
    }

    #[test]
    fn client_rejects_bad_server_digest() {
        let mut out = BytesMut::new();
        let mut client = ClientHandshake::start(3, true, &mut out);
        let mut reply = vec![RTMP_VERSION];
        reply.extend(vec![1u8; 2 * PACKET_SIZE]);
        assert!(matches!(
            client.feed(&reply, &mut out),
            Err(Error::HandshakeVerification(_))
        ));
    }
}
