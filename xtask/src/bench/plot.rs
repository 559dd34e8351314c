//! The growth plot: wall time and peak RSS against org size, two panels drawn with plotters into
//! an RGB buffer and written as a PNG (no image crate; the font is embedded, none is looked up).

use anyhow::{Context, Result, anyhow};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

const PANEL: (u32, u32) = (480, 320);
const FONT: &str = "sans-serif";

/// PNG bytes of two panels side by side: wall seconds and peak MiB, each against persons (linear
/// axes from 0). `points` are (persons, wall s, peak MiB).
pub fn growth_png(points: &[(usize, f64, f64)]) -> Result<Vec<u8>> {
    register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| anyhow!("the embedded font cannot be read"))?;
    let (width, height) = (PANEL.0 * 2, PANEL.1);
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (left, right) = root.split_horizontally(PANEL.0);
        let wall: Vec<(f64, f64)> = points.iter().map(|p| (p.0 as f64, p.1)).collect();
        let rss: Vec<(f64, f64)> = points.iter().map(|p| (p.0 as f64, p.2)).collect();
        panel(&left, "wall time (s)", &wall, &BLUE)?;
        panel(&right, "peak RSS (MiB)", &rss, &RED)?;
        root.present().map_err(draw_error)?;
    }
    encode_png(&rgb, width, height)
}

fn panel(
    area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    title: &str,
    points: &[(f64, f64)],
    colour: &RGBColor,
) -> Result<()> {
    let max_x = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let max_y = points.iter().map(|p| p.1).fold(f64::MIN_POSITIVE, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{title} against persons"), (FONT, 16))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0..max_x, 0.0..max_y)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|v| format!("{:.0}k", v / 1000.0))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .label_style((FONT, 12))
        .draw()
        .map_err(draw_error)?;
    chart.draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(2))).map_err(draw_error)?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled()))).map_err(draw_error)?;
    Ok(())
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().context("cannot start the PNG")?;
    writer.write_image_data(rgb).context("cannot write the PNG's pixels")?;
    writer.finish().context("cannot finish the PNG")?;
    Ok(out)
}

fn draw_error<E: std::error::Error + Send + Sync + 'static>(error: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("cannot draw the growth plot: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_is_a_png_of_two_panels_with_both_lines_drawn() {
        let png = growth_png(&[(10_000, 0.6, 72.7), (100_000, 6.5, 77.7), (300_000, 20.9, 94.6)]).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.height), (PANEL.0 * 2, PANEL.1));
        let pixels = &pixels[..frame.buffer_size()];
        let count =
            |colour: &RGBColor| pixels.chunks(3).filter(|p| p == &[colour.0, colour.1, colour.2]).count();
        // Each line is drawn, in its own panel: blue on the left, red on the right.
        let blue_left = pixels
            .chunks(3)
            .enumerate()
            .filter(|(i, p)| *p == [0, 0, 255] && (*i as u32 % (PANEL.0 * 2)) < PANEL.0)
            .count();
        assert!(count(&BLUE) > 100 && blue_left == count(&BLUE), "blue pixels: {}", count(&BLUE));
        assert!(count(&RED) > 100, "red pixels: {}", count(&RED));
        // The captions are drawn: dark pixels in the top rows, above every axis and line.
        let caption_rows = &pixels[..(PANEL.0 * 2 * 24 * 3) as usize];
        assert!(caption_rows.chunks(3).filter(|p| p.iter().all(|&c| c < 96)).count() > 100);
    }
}
