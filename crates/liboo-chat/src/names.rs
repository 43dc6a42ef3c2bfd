//! Random display names and colours, as LiBoo gave each socket: a Korean adjective and
//! noun, and a bright colour that reads on a dark chat background.

use rand::RngExt;

const ADJECTIVES: &[&str] = &[
    "행복한",
    "용감한",
    "졸린",
    "배고픈",
    "신나는",
    "똑똑한",
    "조용한",
    "빠른",
    "느긋한",
    "귀여운",
    "엉뚱한",
    "씩씩한",
    "수줍은",
    "명랑한",
    "진지한",
    "호기심많은",
    "부지런한",
    "상냥한",
    "든든한",
    "반짝이는",
];

const NOUNS: &[&str] = &[
    "고양이",
    "강아지",
    "판다",
    "펭귄",
    "호랑이",
    "토끼",
    "다람쥐",
    "수달",
    "부엉이",
    "돌고래",
    "여우",
    "너구리",
    "코알라",
    "햄스터",
    "거북이",
    "고래",
    "사자",
    "기린",
    "오리",
    "곰",
];

/// A random nickname, e.g. "행복한 판다".
pub fn nickname() -> String {
    let mut rng = rand::rng();
    let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let noun = NOUNS[rng.random_range(0..NOUNS.len())];
    format!("{adjective} {noun}")
}

/// A random bright colour as `#rrggbb`: any hue, high saturation, light enough.
pub fn bright_color() -> String {
    let mut rng = rand::rng();
    let hue: f64 = rng.random_range(0.0..360.0);
    let (s, l) = (0.85, 0.65);
    let c = (1.0 - (2.0 * l - 1.0f64).abs()) * s;
    let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match hue as u32 / 60 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_colours() {
        let n = nickname();
        assert_eq!(n.split(' ').count(), 2);
        for _ in 0..200 {
            let c = bright_color();
            assert_eq!(c.len(), 7);
            let v: Vec<u8> = (0..3)
                .map(|i| u8::from_str_radix(&c[1 + 2 * i..3 + 2 * i], 16).unwrap())
                .collect();
            assert!(v.iter().copied().max().unwrap() >= 200, "{c} is not bright");
        }
    }
}
