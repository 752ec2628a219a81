package io.github.tangent4j.cli.demo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Lays panels (images) side by side into one figure image on a white background. */
final class Panels {
    private Panels() {
    }

    /** The panels in one row, tops aligned. */
    static BufferedImage row(List<BufferedImage> panels) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("panels: expected at least one panel but got none");
        }
        int w = 0;
        int h = 0;
        for (BufferedImage p : panels) {
            w += p.getWidth();
            h = Math.max(h, p.getHeight());
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int x = 0;
            for (BufferedImage p : panels) {
                g.drawImage(p, x, 0, null);
                x += p.getWidth();
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
