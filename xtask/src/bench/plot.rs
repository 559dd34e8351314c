//! The growth plot: wall time and peak RSS against org size, as an SVG written by hand (the
//! offline registry this is built with has no plotting crate).

use std::fmt::Write as _;

const W: f64 = 360.0;
const H: f64 = 240.0;
const PAD: f64 = 48.0;

/// Two panels side by side: wall seconds and peak MiB, each against persons (linear axes from 0).
pub fn growth_svg(points: &[(usize, f64, f64)]) -> String {
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        2.0 * W
    );
    let wall: Vec<(f64, f64)> = points.iter().map(|p| (p.0 as f64, p.1)).collect();
    let rss: Vec<(f64, f64)> = points.iter().map(|p| (p.0 as f64, p.2)).collect();
    panel(&mut svg, 0.0, "wall time (s)", &wall, "#1f77b4");
    panel(&mut svg, W, "peak RSS (MiB)", &rss, "#d62728");
    svg.push_str("</svg>\n");
    svg
}

fn panel(svg: &mut String, left: f64, title: &str, points: &[(f64, f64)], colour: &str) {
    let max_x = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let max_y = points.iter().map(|p| p.1).fold(f64::MIN_POSITIVE, f64::max) * 1.1;
    let x = |v: f64| left + PAD + v / max_x * (W - 2.0 * PAD);
    let y = |v: f64| H - PAD - v / max_y * (H - 2.0 * PAD);
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"20\" text-anchor=\"middle\">{title} against persons</text>",
        left + W / 2.0
    );
    let _ = writeln!(
        svg,
        "<path d=\"M{:.1},{:.1} V{:.1} H{:.1}\" fill=\"none\" stroke=\"black\"/>",
        x(0.0),
        y(max_y),
        y(0.0),
        x(max_x)
    );
    for i in 0..=4 {
        let (vx, vy) = (max_x * f64::from(i) / 4.0, max_y * f64::from(i) / 4.0);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.0}k</text>",
            x(vx),
            H - PAD + 14.0,
            vx / 1000.0
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{vy:.1}</text>",
            x(0.0) - 4.0,
            y(vy) + 4.0
        );
    }
    let line: Vec<String> = points.iter().map(|p| format!("{:.1},{:.1}", x(p.0), y(p.1))).collect();
    let _ = writeln!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
        line.join(" ")
    );
    for p in points {
        let _ =
            writeln!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>", x(p.0), y(p.1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_point_is_drawn_inside_its_panel() {
        let svg = growth_svg(&[(10_000, 0.6, 72.7), (100_000, 6.5, 77.7), (300_000, 20.9, 94.6)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<circle").count(), 6);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}
