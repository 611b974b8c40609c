"""IPTC Media Topics and keywords for transcripts: vocabulary, taggers, segments, stage."""
