"""Shot detection backends, one module each; ``regie.shots.detector.DETECTORS`` names them."""
