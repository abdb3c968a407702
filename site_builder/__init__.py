"""Build the public catalogue of the Chongqing University Student Sci-Tech Internship Programme."""
