"""The reading rules' thresholds in one typed model: each with its default and the reason for it.

The layout rules, the confidence checks, the institution rules and the brief checks read the
thresholds in force here instead of module constants, so that a user can list them
(`inspect --explain`) and override one under `rules:` in paperbrief.yaml (a misspelt name is an
error). The thresholds in force are set once per process: by the run from its settings, and
by each reader process from the Rules the pool hands it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Rules(BaseModel):
    """Every threshold of the reading rules, with the reason for its default (see the module doc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # metadata.__init__
    max_cited_mark: int = Field(20, description="a higher mark beside a name is a footnote's number or stray digits, not an affiliation's")
    # metadata.abstract
    heading_max_chars: int = Field(40, description="an 'Abstract' cell this short is a heading; a longer one starts the paragraph itself")
    caption_same_pt: float = Field(0.3, description="points: a line this close in size right under a caption runs the caption on")
    caption_gap_sizes: float = Field(0.8, description="of the font size: a line under a caption no further below than this runs it on")
    smaller_than_body_pt: float = Field(1.5, description="points: an unlabelled abstract may be set this much smaller than the body")
    larger_than_body_pt: float = Field(0.6, description="points: an unlabelled abstract is never set this much larger than the body")
    paragraph_min_chars: int = Field(90, description="printed width, in Latin characters: a shorter line is not a paragraph's")
    paragraph_run_lines: int = Field(3, description="lines of one column, in a row, that make a paragraph though each is "
                                                    "shorter (an abstract set in a wide font)")
    indent_sizes: float = Field(4.0, description="of the font size: a paragraph's first line is indented no further than this")
    sidebar_cell_max_chars: int = Field(45, description="characters: a longer cell left of the title's column is a body column's, "
                                                        "so that column is no sidebar of notes")
    paragraph_run_share: float = Field(0.75, description="of paragraph_min_chars: each line of such a run is at least this wide")
    prose_min_words: int = Field(6, description="lower-case words besides connectives: a line with this many is a sentence, "
                                                "though it holds an organisation word")
    numbered_min_lines: int = Field(8, description="lines that must start with a number before a page counts as line-numbered")
    numbered_rising: float = Field(0.6, description="of the numbers: this many must step up by one for the lines to be numbered")
    no_end_chars: int = Field(2500, description="with no end found, the abstract is cut here: longer than any abstract")
    tail_words: int = Field(4, description="words of the abstract's last line looked for in the page text")
    tail_after_share: float = Field(0.3, description="of the text: the last line found earlier than this is a repeat, not the end")
    min_word_chars: int = Field(20, description="word characters an abstract needs: fewer is a placeholder ('...')")
    find_prefix_chars: int = Field(40, description="characters of a layout line looked up as they are in the page text")
    find_words: int = Field(8, description="words of a layout line matched loosely when its start is not found as is")
    find_min_words: int = Field(4, description="fewer words match too much")
    column_slack_pt: float = Field(2, description="points: the heading's centre may fall this far outside the paragraph's cell")
    paragraph_cell_chars: int = Field(20, description="a shorter cell under the heading is a label, not the paragraph")
    heading_gap_sizes: float = Field(3, description="of the heading's size: no paragraph this far below it means none is found")
    abstract_same_size_pt: float = Field(0.6, description="points: a line of the abstract's column differing more in size ends it")
    paragraph_gap_sizes: float = Field(1.1, description="of the font size: a wider gap between lines ends the paragraph")
    in_column_share: float = Field(0.6, description="of a cell's width: overlapping the column this much puts it in the column")
    # metadata.affiliations
    names_smaller_pt: float = Field(
        1.0, description="points: a cell this much smaller than the first names is a figure's label, not a name")
    column_overlap: float = Field(0.3, description="of the narrower cell: two cells overlapping this much stand in one column")
    entry_gap_sizes: float = Field(1.0, description="of the larger font size: a line no further below continues the entry above")
    same_block_pt: float = Field(1.0, description="points: a line larger than this below an entry starts a new block (names)")
    single_digit_marks: int = Field(9, description="marks up to this are one number each; '12' beyond the entries printed is marks 1 and 2")
    note_smaller_pt: float = Field(0.4, description="points: text this much below the body size is a note's")
    across_middle_pt: float = Field(20, description="points: a span reaching this far over the page's middle runs across both columns")
    note_line_sizes: float = Field(0.5, description="of the font size: a note span whose top is further off starts another printed line")
    note_marker_pt: float = Field(0.5, description="points: a marker in the foot is set this much below the notes' size")
    # metadata.authors
    full_name_words: int = Field(2, description="words of a full name: a wide gap splits a cell only when every piece has this many")
    name_run_min_words: int = Field(6, description="capitalised words in one run, at least, before it is read as first-and-last pairs")
    chinese_name_chars: tuple[int, int] = Field(
        (2, 4), description="characters of a Chinese name: '林晓', up to a double surname and two more")
    chinese_dot_name_chars: int = Field(6, description="characters of a name with a middle dot (a transliterated minority name)")
    name_max_words: int = Field(5, description="words of a person's name, at most: longer is a phrase")
    name_min_chars: int = Field(2, description="a one-word name needs this many characters (an initial alone is not a name)")
    # metadata.confidence
    title_max_words: int = Field(40, description="a longer title is the abstract read as one")
    title_max_chars: int = Field(300, description="likewise in characters")
    person_max_words: int = Field(5, description="an author name with more words is not a person's")
    org_max_words: int = Field(12, description="an organisation's name with more words is a sentence or a run of entries")
    full_name_max_words: int = Field(3, description="a person's name after '<Name>, ' is this short; a longer phrase is an organisation's")
    beside_probe_lines: int = Field(6, description="lines of a column beside an unheaded abstract that must name an organisation")
    listed_authors_min: int = Field(3, description="lines '<Name>, <Organisation>': this many make a list of one author a line")
    prose_dropped_min_words: int = Field(10, description="lower-case words: a dropped entry with this many is prose, no misread name")
    sentence_min_words: int = Field(6, description="a name this long with a sentence's words is a sentence")
    abstract_min_chars: int = Field(120, description="printed width: a shorter abstract is a fragment")
    failed_check: float = Field(0.2, description="confidence given when a check on the title, authors or abstract failed")
    not_organisations: float = Field(0.3, description="confidence given when names were dropped as not organisations")
    glued_or_unread: float = Field(
        0.35, description="confidence given when a person's name run into an organisation, or organisations left unread")
    no_sign_or_uncounted: float = Field(
        0.4, description="confidence given when no sign of an organisation, more affiliations cited than read, or nothing read")
    company_lab: float = Field(
        0.45, description="confidence given when a company printed with its lab: which one the paper means is unsure")
    printed_org_max_words: int = Field(8, description="an organisation's name printed in the header is shorter; longer is a sentence")
    parent_max_words: int = Field(6, description="'Chinese Academy of Sciences', 'Ministry of Education': a longer part is a sentence")
    # decide
    model_reading_confidence: float = Field(
        0.9, description="confidence given to a field of the model's reading that page 1 prints (grounded), where it is published")
    # metadata.header
    header_limit_chars: int = Field(6000, description="characters: a header with every affiliation (50 run together), less than a page")
    notes_share: float = Field(0.4, description="of the limit, kept for the foot's notes when the header above is long")
    sidebar_lines_min: int = Field(3, description="lines with a cell left of the title's column: fewer is a stray cell, not a column")
    column_edge_pt: float = Field(2.0, description="points: a cell ending this far left of the title's column stands outside it")
    same_column_pt: float = Field(12.0, description="points: cells whose centres are this close stand in one column of a grid")
    # metadata.layout
    figure_label_lines: int = Field(2, description="lines of short words right above a figure's caption that make its labels, not names")
    teaser_gap_sizes: float = Field(2.5, description="of the font size above: a wider gap under the affiliations, then smaller "
                                                     "text, starts a teaser figure")
    teaser_smaller_pt: float = Field(1.5, description="points: text this much smaller than the line above the gap is the figure's")
    foot_body_share: float = Field(0.25, description="of the foot band's characters: a smaller share is not the body's (a caption)")
    running_head_band: float = Field(0.07, description="of the page height: above it, a journal's running head, printed "
                                                       "before a body whose title is drawn after it (Word's pages)")
    foot_band: float = Field(0.62, description="of the page height: below it, page 1's notes (affiliations in IEEE, ICML, journals)")
    same_line_sizes: float = Field(0.45, description="of the larger font size: centres this close are on one line (a superscript joins it)")
    lines_looked_back: int = Field(3, description="recent lines a span may join: a line's superscripts sit just above or below it")
    grid_gap_sizes: float = Field(0.8, description="of the line's font size: a gap this wide, in a gutter of the grid row "
                                                   "above or below, parts two cells")
    grid_row_sizes: float = Field(2.5, description="of the font size: a line this close above or below is a row of the same grid")
    cell_gap_sizes: float = Field(1.6, description="of the line's font size: a wider gap between spans starts a new cell (a grid column)")
    glued_gap_sizes: float = Field(0.15, description="of the line's font size: a narrower gap is inside one word (a font change)")
    exponent_gap_sizes: float = Field(0.2, description="of the font size: a digit this close on both sides is an exponent ('R²-Guard')")
    small_caps_share: float = Field(0.9, description="of the capital before: a capital set smaller is a small capital")
    small_caps_same_pt: float = Field(0.2, description="points: a size this close to one seen is the cell's small-caps size again")
    superscript_share: float = Field(0.88, description="of the line's size: a smaller span may be a marker")
    superscript_rise_sizes: float = Field(0.05, description="of the line's size: a marker's centre is not lower than this below the line's")
    default_body_size: float = Field(10.0, description="points: the body size of a page with no text")
    letter_spaced_min: int = Field(4, description="single-letter tokens that make a wordmark ('R E S C')")
    flush_pt: float = Field(2.0, description="points: title lines starting this close are set flush left")
    column_margin_pt: float = Field(2.0, description="points: the main column is taken to start this far left of the title")
    centred_share: float = Field(0.08, description="of the page width: a title centre this close to the page's is centred")
    sidebar_share: float = Field(0.2, description="of the page width: a flush-left title starting further in leaves room for a sidebar")
    margin_share: float = Field(0.09, description="of the page width: a number in this outer strip is a review copy's line number")
    number_column_pt: float = Field(3, description="points: spans starting within this of each other share a line-number column")
    number_column_min: int = Field(6, description="numbers a line-number column has at least")
    number_column_rising: float = Field(0.8, description="of its steps: a line-number column grows down the page at least this often")
    number_column_span: float = Field(0.3, description="of the page's printed height: a line-number column runs at least this far "
                                                       "(a foot's note markers one under another do not)")
    # metadata.title
    top_share: float = Field(0.5, description="of the page height: a title starts in the top half")
    title_same_size_pt: float = Field(0.5, description="points: lines this close in size are set in one size (one title, wrapped)")
    line_gap_sizes: float = Field(1.2, description="of the font size: a wider gap between lines ends the title block")
    labelled_title_min_words: int = Field(4, description="Title metadata this long may tell a journal's labels from the title's words")
    title_label_max_words: int = Field(3, description="words of labels ('OPEN', 'Data Descriptor') set at a title's line starts")
    meta_title_min_chars: int = Field(12, description="a shorter Title metadata ('Untitled', 'paper.dvi') picks nothing")
    agrees_share: float = Field(0.8, description="of the longer text: the shorter must cover this much to be the same title")
    masthead_min_chars: int = Field(8, description="a shorter line inside another is a word, not a repeated journal name")
    title_min_letters: int = Field(4, description="letters a title line needs: fewer is a page number or a symbol")
    cjk_multiword: int = Field(4, description="Chinese or Japanese characters that count as several words")
    # institutions
    town_max_words: int = Field(2, description="capitalised words of a town ('Porto', 'Ann Arbor'); a longer part names more")
    same_name_share: float = Field(0.75, description="of the longer folded name: a name inside another this long is a repeat of it")
    # validate
    leading_phrase_words: int = Field(
        3, description="words of a title's start, at least, that name the paper ('Delta Velocity Rectified Flow')")
    brief_min_chars: int = Field(40, description="characters: a shorter brief cannot carry the sentence's five parts")
    brief_max_chars: int = Field(600, description="characters: a longer brief is no one-sentence digest (an answer gone astray)")
    # pdf
    cover_signs_min: int = Field(2, description="one sign alone is a stamp on the paper's own page (IEEE Xplore's \"Downloaded on\")")
    body_samples: int = Field(9, description="landings in the body whose font size decides the body's size")
    drawn_body_min_pt: float = Field(7.0, description="points: a size-1 body drawn smaller than this was scaled by more than "
                                                      "its text matrix (a form's own matrix), and is not known")
    text_layer_min_chars: int = Field(200, description="characters on page 1 before its share of words is judged; fewer say too little")
    text_layer_word_share: float = Field(0.25, description="of page 1's tokens, at least, read as words, numbers or CJK text: fewer is "
                                                           "a font with no Unicode map (Type 3), glyph codes and no text")
    tiny_text_pt: float = Field(2.0, description="points: text set smaller than this cannot be read on the page")
    white_text_level: int = Field(250, description="of 255 in each channel: text this light is white on the white page")


_in_force = Rules()


def in_force() -> Rules:
    """The thresholds this process reads with."""
    return _in_force


def use(rules: Rules) -> None:
    """Read with these thresholds from now on, in this process (a run, a reader process)."""
    global _in_force
    _in_force = rules


def explained(rules: Rules) -> list[dict]:
    """Each threshold as (name, value, reason), in the order the model declares them."""
    return [{"name": name, "value": getattr(rules, name), "default": field.default, "reason": field.description}
            for name, field in Rules.model_fields.items()]
