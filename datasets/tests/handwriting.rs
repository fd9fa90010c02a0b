//! Preparing pictures as MNIST was prepared: synthetic pictures of known shape come out white on
//! black, 20 pixels on the long side, centred by their centre of mass; a blank picture is said
//! to be blank; every kind of unreadable file is named for what it is.

use std::io::Cursor;

use datasets::handwriting::{
    DIGIT_BOX, ImageError, InkBox, MAX_IMAGE_SIDE, Prepared, WORKING_SIDE, decode_image, prepare,
    read_image, squash,
};
use datasets::mnist::{IMAGE_PIXELS, IMAGE_SIDE};
use image::{DynamicImage, GrayImage, ImageFormat, Luma, LumaA, Rgb, RgbImage};

const SIDE: usize = IMAGE_SIDE as usize;

/// A `width` x `height` picture of `paper` with `ink` wherever `shape(x, y)` holds.
fn drawing(
    width: u32,
    height: u32,
    paper: u8,
    ink: u8,
    shape: impl Fn(u32, u32) -> bool,
) -> DynamicImage {
    DynamicImage::ImageLuma8(GrayImage::from_fn(width, height, |x, y| {
        Luma([if shape(x, y) { ink } else { paper }])
    }))
}

/// The rows and columns that hold any ink: `(first row, last row, first column, last column)`.
fn ink_extent(p: &Prepared) -> (usize, usize, usize, usize) {
    let ink: Vec<(usize, usize)> = (0..IMAGE_PIXELS)
        .filter(|&i| p.pixels[i] > 0)
        .map(|i| (i / SIDE, i % SIDE))
        .collect();
    assert!(!ink.is_empty(), "no ink in the prepared field");
    let rows = ink.iter().map(|&(r, _)| r);
    let cols = ink.iter().map(|&(_, c)| c);
    (
        rows.clone().min().unwrap(),
        rows.max().unwrap(),
        cols.clone().min().unwrap(),
        cols.max().unwrap(),
    )
}

/// The centre of mass `(row, column)` in pixel indices, as measured on MNIST.
fn centre_of_mass(p: &Prepared) -> (f64, f64) {
    let (mut mass, mut rows, mut cols) = (0.0, 0.0, 0.0);
    for (i, &v) in p.pixels.iter().enumerate() {
        let v = f64::from(v);
        mass += v;
        rows += v * (i / SIDE) as f64;
        cols += v * (i % SIDE) as f64;
    }
    (rows / mass, cols / mass)
}

/// Centred as MNIST is: the centre of mass within half a pixel of index (14, 14), as near as a
/// shift by whole pixels gets (and a hair for levels rounded to bytes).
fn assert_centred(p: &Prepared) {
    let (row, col) = centre_of_mass(p);
    assert!(
        (row - 14.0).abs() <= 0.52 && (col - 14.0).abs() <= 0.52,
        "centre of mass at ({row:.4}, {col:.4})"
    );
}

fn long_side(p: &Prepared) -> usize {
    let (top, bottom, left, right) = ink_extent(p);
    (bottom - top + 1).max(right - left + 1)
}

#[test]
fn an_off_centre_bar_on_white_comes_out_centred_white_on_black_and_20_pixels_tall() {
    // 20 x 100 black bar near the top-left corner of a white page.
    let bar = drawing(200, 150, 255, 0, |x, y| {
        (20..40).contains(&x) && (10..110).contains(&y)
    });

    let prepared = prepare(&bar);

    assert!(prepared.inverted, "a white page is light paper");
    assert_eq!(
        prepared.ink_box,
        Some(InkBox {
            x: 20,
            y: 10,
            width: 20,
            height: 100
        })
    );
    let (top, bottom, left, right) = ink_extent(&prepared);
    assert_eq!(
        (bottom - top + 1, right - left + 1),
        (DIGIT_BOX as usize, 4),
        "5 times smaller"
    );
    assert_centred(&prepared);
    // Each output pixel averages a 5 x 5 block of ink: full ink, on a black field.
    for (i, &v) in prepared.pixels.iter().enumerate() {
        let inside = (top..=bottom).contains(&(i / SIDE)) && (left..=right).contains(&(i % SIDE));
        assert_eq!(v, if inside { 255 } else { 0 }, "pixel {i}");
    }
    // Where the bar was on the page does not matter.
    let moved = drawing(200, 150, 255, 0, |x, y| {
        (150..170).contains(&x) && (45..145).contains(&y)
    });
    assert_eq!(prepare(&moved).pixels, prepared.pixels);
}

#[test]
fn a_tiny_digit_is_scaled_up_to_20_pixels() {
    // A 3 x 5 "7" in a 64 x 64 white picture: top row, then a diagonal down to the bottom.
    let seven = drawing(64, 64, 255, 0, |x, y| {
        let (x, y) = (x as i32 - 30, y as i32 - 40);
        (y == 0 && (0..3).contains(&x)) || ((1..5).contains(&y) && x == 2 - y / 2)
    });

    let prepared = prepare(&seven);

    assert_eq!(
        prepared.ink_box,
        Some(InkBox {
            x: 30,
            y: 40,
            width: 3,
            height: 5
        })
    );
    assert_eq!(long_side(&prepared), DIGIT_BOX as usize);
    assert_centred(&prepared);
    assert_eq!(
        prepared.pixels.iter().max(),
        Some(&255),
        "full-strength ink"
    );
}

#[test]
fn a_huge_photo_of_a_grey_digit_on_grainy_paper_is_scaled_down_to_20_pixels() {
    // 1500 x 1200: a ring ("0") 600 pixels tall in dark grey on light grey paper with grain.
    let mut grain = 0x2545_f491_4f6c_dd1du64;
    let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(1500, 1200, |x, y| {
        grain ^= grain << 13;
        grain ^= grain >> 7;
        grain ^= grain << 17;
        let noise = (grain % 17) as i32 - 8;
        let (dx, dy) = ((x as f32 - 1000.0) / 225.0, (y as f32 - 500.0) / 300.0);
        let r = (dx * dx + dy * dy).sqrt();
        let base = if (0.8..1.0).contains(&r) { 70 } else { 205 };
        let v = (base + noise).clamp(0, 255) as u8;
        Rgb([v, v, v.saturating_sub(20)]) // yellowish paper
    }));

    let prepared = prepare(&photo);

    assert!(prepared.inverted);
    let ink_box = prepared.ink_box.unwrap();
    assert!(
        (445..=455).contains(&ink_box.width) && (595..=605).contains(&ink_box.height),
        "{ink_box:?}"
    );
    let (top, bottom, left, right) = ink_extent(&prepared);
    assert_eq!(bottom - top + 1, DIGIT_BOX as usize);
    assert_eq!(right - left + 1, 15, "450 / 600 of 20 pixels");
    assert_centred(&prepared);
    // White on black: the grain is gone from the background, the ring is full ink.
    assert_eq!(prepared.pixels[0], 0);
    assert_eq!(prepared.pixels[14 * SIDE + 14], 0, "the hole of the ring");
    assert_eq!(prepared.pixels.iter().max(), Some(&255));
}

#[test]
fn a_picture_beyond_the_working_size_is_shrunk_first_and_its_ink_box_is_in_its_own_pixels() {
    // 5000 x 400: a 100 x 300 bar, far to the left.
    let wide = drawing(5000, 400, 255, 0, |x, y| {
        (1000..1100).contains(&x) && (50..350).contains(&y)
    });
    assert!(wide.width() > WORKING_SIDE);

    let prepared = prepare(&wide);

    let ink = prepared.ink_box.unwrap();
    let near = |a: u32, b: u32| a.abs_diff(b) <= 3;
    assert!(
        near(ink.x, 1000) && near(ink.y, 50) && near(ink.width, 100) && near(ink.height, 300),
        "{ink:?}"
    );
    let (top, bottom, left, right) = ink_extent(&prepared);
    assert_eq!(
        (bottom - top + 1, right - left + 1),
        (20, 7),
        "300 x 100 scaled to 20 tall"
    );
    assert_centred(&prepared);
}

#[test]
fn a_blank_picture_has_no_ink() {
    for (name, blank) in [
        ("white", drawing(100, 80, 255, 255, |_, _| false)),
        ("black", drawing(100, 80, 0, 0, |_, _| false)),
        ("a single pixel", drawing(1, 1, 128, 128, |_, _| false)),
        // Grey paper whose grain never stands out by the minimum contrast.
        (
            "faint grain",
            drawing(100, 80, 200, 205, |x, y| (x * 7 + y * 3) % 5 == 0),
        ),
    ] {
        let prepared = prepare(&blank);
        assert!(!prepared.has_ink(), "{name}");
        assert_eq!(prepared.ink_box, None, "{name}");
        assert!(
            prepared.pixels.iter().all(|&v| v == 0),
            "{name}: an empty field"
        );
        assert!(prepared.input().iter().all(|&v| v == 0.0), "{name}");
    }
}

#[test]
fn white_on_black_is_not_inverted_and_gives_the_same_field() {
    let shape = |x: u32, y: u32| (x as i32 - 50).pow(2) + (y as i32 - 40).pow(2) < 400 && x > 45;
    let dark_on_light = prepare(&drawing(100, 80, 255, 0, shape));
    let light_on_dark = prepare(&drawing(100, 80, 0, 255, shape));
    assert!(dark_on_light.inverted);
    assert!(!light_on_dark.inverted);
    assert_eq!(light_on_dark.pixels, dark_on_light.pixels);
}

#[test]
fn black_strokes_on_a_transparent_canvas_read_as_on_white() {
    let shape = |x: u32, y: u32| {
        (10..14).contains(&x) && (5..60).contains(&y)
            || (10..40).contains(&x) && (5..9).contains(&y)
    };
    let on_white = prepare(&drawing(64, 64, 255, 0, shape));
    let transparent = DynamicImage::ImageLumaA8(image::GrayAlphaImage::from_fn(64, 64, |x, y| {
        if shape(x, y) {
            LumaA([0, 255])
        } else {
            LumaA([0, 0])
        }
    }));
    assert_eq!(prepare(&transparent).pixels, on_white.pixels);
}

#[test]
fn preparing_a_prepared_digit_changes_little() {
    // A slanted stroke with a hook: anti-aliased edges after the first preparation.
    let first = prepare(&drawing(300, 400, 255, 30, |x, y| {
        let along = x as i32 - 100 - (y as i32) / 4;
        (0..40).contains(&along) && (50..350).contains(&y)
            || (y as i32 - 60).abs() < 20 && (100..260).contains(&x)
    }));
    let again = prepare(&DynamicImage::ImageLuma8(first.to_image()));
    let differences: u32 = first
        .pixels
        .iter()
        .zip(&again.pixels)
        .map(|(&a, &b)| u32::from(a.abs_diff(b)))
        .sum();
    let ink: u32 = first.pixels.iter().map(|&v| u32::from(v)).sum();
    assert!(differences * 10 < ink, "changed by {differences} of {ink}");
    assert_eq!(long_side(&again), DIGIT_BOX as usize);
}

#[test]
fn the_saved_png_is_the_field_pixel_for_pixel() {
    let prepared = prepare(&drawing(50, 50, 255, 0, |x, y| x + y > 40 && x + y < 60));
    let back = image::load_from_memory(&prepared.to_png()).unwrap();
    assert_eq!(back.color(), image::ColorType::L8);
    assert_eq!(back.to_luma8().into_raw(), prepared.pixels.to_vec());
}

#[test]
fn the_input_is_the_pixels_over_255() {
    let prepared = prepare(&drawing(40, 40, 255, 0, |x, y| {
        x > 10 && y > 10 && x < 30 && y < 20
    }));
    let input = prepared.input();
    assert_eq!(input.len(), IMAGE_PIXELS);
    for (&v, &p) in input.iter().zip(&prepared.pixels) {
        assert_eq!(v, f32::from(p) / 255.0);
    }
}

#[test]
fn squashing_only_greys_and_resizes() {
    // Black on white stays black on white, and the bar keeps its place in the picture.
    let bar = drawing(280, 140, 255, 0, |x, _| (0..40).contains(&x));
    let squashed = squash(&bar);
    assert!(!squashed.inverted);
    assert_eq!(
        squashed.ink_box,
        Some(InkBox {
            x: 0,
            y: 0,
            width: 280,
            height: 140
        })
    );
    for row in 0..SIDE {
        assert_eq!(
            &squashed.pixels[row * SIDE..row * SIDE + 3],
            &[0; 3],
            "the bar, dark"
        );
        assert!(
            squashed.pixels[row * SIDE + 6..(row + 1) * SIDE]
                .iter()
                .all(|&v| v == 255)
        );
    }
}

fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

#[test]
fn png_jpeg_bmp_and_pgm_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let digit = drawing(60, 80, 240, 20, |x, y| {
        (20..30).contains(&x) && (10..70).contains(&y)
    });
    let reference = prepare(&digit);
    for (name, format) in [
        ("d.png", ImageFormat::Png),
        ("d.jpg", ImageFormat::Jpeg),
        ("d.bmp", ImageFormat::Bmp),
        ("d.pgm", ImageFormat::Pnm),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, encoded(&digit, format)).unwrap();
        let picture = read_image(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((picture.width(), picture.height()), (60, 80), "{name}");
        let prepared = prepare(&picture);
        if format == ImageFormat::Jpeg {
            // Lossy: the edges ring, the box may move by a pixel; the digit stays the digit.
            assert_eq!(long_side(&prepared), DIGIT_BOX as usize);
            assert_centred(&prepared);
            assert!(prepared.inverted);
        } else {
            assert_eq!(
                prepared, reference,
                "{name}: lossless, so the very same field"
            );
        }
    }
}

fn read_error(path: &std::path::Path) -> String {
    read_image(path).unwrap_err().to_string()
}

#[test]
fn each_kind_of_unreadable_file_gets_its_own_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    std::fs::write(at("notes.txt"), "a shopping list, not a seven\n").unwrap();
    std::fs::write(at("empty.png"), "").unwrap();
    std::fs::write(at("anim.gif"), b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    let png = encoded(&drawing(30, 30, 255, 0, |x, _| x == 3), ImageFormat::Png);
    std::fs::write(at("cut.png"), &png[..png.len() / 2]).unwrap();
    std::fs::write(
        at("wide.png"),
        encoded(
            &drawing(MAX_IMAGE_SIDE + 1, 1, 255, 0, |_, _| false),
            ImageFormat::Png,
        ),
    )
    .unwrap();

    let cases = [
        ("missing.png", "missing.png: no such file"),
        ("", "is a directory, not an image"),
        ("empty.png", "empty.png is empty (0 bytes)"),
        ("notes.txt", "notes.txt is not an image"),
        (
            "anim.gif",
            "anim.gif is a GIF image; save it as PNG or JPEG",
        ),
        ("cut.png", "cut.png is a damaged or incomplete PNG image"),
        (
            "wide.png",
            "wide.png is 12001 x 1 pixels, too large to read here (at most 12000",
        ),
    ];
    for (name, expected) in cases {
        let message = read_error(&at(name));
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            message.contains(&at(name).display().to_string()),
            "{name} is named: {message}"
        );
    }
}

#[test]
fn bytes_are_decoded_with_their_own_size_limit() {
    let png = encoded(&drawing(300, 200, 255, 0, |x, y| x == y), ImageFormat::Png);
    assert!(decode_image(&png, "the body", 300).is_ok());
    let err = decode_image(&png, "the body", 299).unwrap_err();
    assert!(
        matches!(
            err,
            ImageError::TooLarge {
                width: 300,
                height: 200,
                ..
            }
        ),
        "{err}"
    );
    let err = decode_image(b"", "the body", 300).unwrap_err().to_string();
    assert_eq!(err, "the body is empty (0 bytes)");
}
