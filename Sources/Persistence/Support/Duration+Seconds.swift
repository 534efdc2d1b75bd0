extension Duration {
    /// This duration in seconds, as a Double (what histograms and rates take).
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
