"""The shared results service: quizzes and scenarios write Result rows here (``record_result``);
evaluation reads them. Nothing here knows about quizzes, scenarios or evaluation rules."""
