/* test-ranking.c: ranking rules checked on what the hits say. The real
 * indexer builds the project's sample archive (index/sample) with the
 * project's glossary (conf/synonyms.txt), as `make run` does; then the
 * search library is asked, with no language, as a search box asks:
 * - a post whose title holds the query's word ranks above the posts that
 *   only mention it in their body (issue 13: `l'équivalence` ranked the
 *   post titled "Qu'est-ce que l'équivalence du diplôme..." 4th, behind
 *   posts that only name its glossary synonyms);
 * - the posts that hold the word typed rank above those found through a
 *   glossary synonym only.
 * Titles and bodies are read back from the database (srch_doc) and
 * compared after the analyser's normalisation (case, accents, apostrophes).
 * A second, small archive checks the pseudo-relevance feedback of
 * questions: of two posts the match cannot tell apart, the one that shares
 * its subject with the other best hits comes first. A third checks the
 * answer-type cue: of posts the match cannot tell apart, a question
 * asking for a date ranks first the one writing a year next to its words,
 * one asking for a name the one writing a naming word there; and that an
 * ordinal in digits ("7e") finds it in letters ("septième"), and the
 * reverse. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testhelp.h"
#include "search/search.h"
#include "text/text.h"

static char *tmp, *dbdir;
static srch_engine *eng;
static int have_glossary;

static void build_db(void)
{
    const char *top = getenv("top_builddir");
    char cmd[4096], text[2048];
    tmp = th_tmpdir("ranking");
    ck_assert_ptr_nonnull(tmp);
    dbdir = th_path(tmp, "db");
    char *conf = th_path(tmp, "test.conf");
    char *gl = th_path(th_srcdir(), "conf/synonyms.txt");
    FILE *g = fopen(gl, "r");
    have_glossary = g != NULL;
    if (g)
        fclose(g);
    snprintf(text, sizeof text, "[index]\nglossary = %s\n", gl);
    th_write_file(conf, have_glossary ? text : "", have_glossary ? strlen(text) : 0);
    snprintf(cmd, sizeof cmd,
             "'%s/src/socasma-index' --quiet --config '%s' --db '%s' "
             "'%s/index/sample/sample.jsonl' >/dev/null",
             top ? top : ".", conf, dbdir, th_srcdir());
    ck_assert_int_eq(system(cmd), 0);
    free(conf);
    free(gl);
    ck_assert_int_eq(srch_engine_new(dbdir, NULL, &eng), SRCH_OK);
}

static void unbuild_db(void)
{
    srch_engine_free(eng);
    th_rmtree(tmp);
    free(tmp);
    free(dbdir);
}

static json_t *search(const char *q)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    r.limit = 50;
    ck_assert_msg(srch_search(eng, &r, &ans) == SRCH_OK, "search [%s]: %s", q, srch_errmsg(eng));
    return ans;
}

static const char *hit_id(json_t *ans, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(ans, "hits"), i), "id"));
}

static size_t nhits(json_t *ans)
{
    return json_array_size(json_object_get(ans, "hits"));
}

/* The score of post id among the hits of q on en (-1: not found). Equal
 * weights come in the order of the posts' content hashes (doc/QUERY.md,
 * "Ties"): a test of posts that tie checks their scores, not an order. */
static long score_of(srch_engine *en, const char *q, const char *id)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    ck_assert_msg(srch_search(en, &r, &ans) == SRCH_OK, "search [%s]: %s", q, srch_errmsg(en));
    long score = -1;
    for (size_t i = 0; i < nhits(ans); i++)
        if (!strcmp(hit_id(ans, i), id))
            score = (long)json_integer_value(
                json_object_get(json_array_get(json_object_get(ans, "hits"), i), "score"));
    json_decref(ans);
    ck_assert_msg(score >= 0, "[%s]: %s not found", q, id);
    return score;
}

/* 1 if the normalised text holds the normalised word as a whole word. */
static int holds(const char *text, const char *word)
{
    char *t = NULL, *w = NULL;
    ck_assert_int_eq(txt_normalise(text, strlen(text), &t), TXT_OK);
    ck_assert_int_eq(txt_normalise(word, strlen(word), &w), TXT_OK);
    size_t wl = strlen(w);
    int found = 0;
    for (const char *s = strstr(t, w); s && !found; s = strstr(s + 1, w))
        found = (s == t || s[-1] == ' ') && (s[wl] == ' ' || s[wl] == '\0');
    free(t);
    free(w);
    return found;
}

/* Where the post id holds word: 2 in its title, 1 in its body only, 0 in
 * neither (found through another form or a synonym). */
static int where(const char *id, const char *word)
{
    json_t *d = NULL;
    ck_assert_int_eq(srch_doc(eng, id, &d), SRCH_OK);
    json_t *doc = json_object_get(d, "doc");
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *body = json_string_value(json_object_get(doc, "body"));
    int w = holds(title ? title : "", word) ? 2 : holds(body ? body : "", word) ? 1 : 0;
    json_decref(d);
    return w;
}

/* The hits of q, in order, as where() of word says: every post that holds
 * the word in its title first, then those with the word in their body,
 * then the others. Returns how many hold it in their title. */
static int expect_title_body_rest(const char *q, const char *word)
{
    json_t *a = search(q);
    ck_assert_msg(nhits(a) > 0, "[%s]: no hits", q);
    int prev = 2, titles = 0;
    for (size_t i = 0; i < nhits(a); i++) {
        int w = where(hit_id(a, i), word);
        ck_assert_msg(w <= prev, "[%s]: hit %zu (%s) holds \"%s\" in its %s, after a post that %s",
                      q, i + 1, hit_id(a, i), word, w == 2 ? "title" : "body",
                      prev == 1 ? "holds it in its body only" : "does not hold it at all");
        titles += w == 2;
        prev = w;
    }
    json_decref(a);
    return titles;
}

START_TEST(titles_first)
{
    /* The case, typed four ways: the post titled with the word first. */
    const char *eq[] = {"l'équivalence", "l’equivalence", "équivalence", "L’ÉQUIVALENCE"};
    for (size_t i = 0; i < 4; i++) {
        json_t *a = search(eq[i]);
        ck_assert_msg(nhits(a) > 3 && !strcmp(hit_id(a, 0), "sample-004"),
                      "[%s]: first hit %s, expected sample-004 (équivalence in its title)", eq[i],
                      nhits(a) ? hit_id(a, 0) : "none");
        json_decref(a);
        ck_assert_int_eq(expect_title_body_rest(eq[i], "équivalence"), 1);
    }
    /* Words in two titles each (and glossary keys): both titles first. */
    ck_assert_int_eq(expect_title_body_rest("DHCEU", "DHCEU"), 2);
    ck_assert_int_eq(expect_title_body_rest("CaRMS", "CaRMS"), 2);
    ck_assert_int_eq(expect_title_body_rest("MCCQE", "MCCQE"), 2);
    ck_assert_int_eq(expect_title_body_rest("OQLF", "OQLF"), 2);
    ck_assert_int_eq(expect_title_body_rest("jumelage", "jumelage"), 1);
}
END_TEST

START_TEST(typed_word_before_synonyms)
{
    if (!have_glossary)
        return; /* the sample is indexed without a glossary */
    /* DHCEU has nine glossary synonyms (IMG, international medical
     * graduates, ...): the posts that say DHCEU come first, and a post
     * naming several synonyms does not pass them. */
    json_t *a = search("DHCEU");
    size_t n = nhits(a), with = 0, without = 0;
    int seen_without = 0;
    for (size_t i = 0; i < n; i++) {
        int w = where(hit_id(a, i), "DHCEU") > 0;
        ck_assert_msg(!(w && seen_without), "[DHCEU]: %s holds the word but ranks %zu, after a post "
                      "found through a synonym only", hit_id(a, i), i + 1);
        seen_without |= !w;
        with += w;
        without += !w;
    }
    /* both kinds are there: the synonyms did find more posts */
    ck_assert_uint_gt(with, 2);
    ck_assert_uint_gt(without, 2);
    json_decref(a);
}
END_TEST

/* ---- pseudo-relevance feedback ----------------------------------------- */

static char *ftmp;
static srch_engine *feng;

/* Two posts hold the question's words alike (same length, same order);
 * "on-topic" also shares the words of the three posts on volcanoes that
 * the question finds too, "off-topic" (written first: Xapian's order of
 * equal weights puts it first) only words no other post has. Ten posts
 * on other subjects make the volcano words rare in the archive. */
static void build_topic_db(void)
{
    static const char *const bodies[][2] = {
        {"off-topic", "Pourquoi la montagne devenue célèbre attire les visiteurs : sel poivre "
                      "beurre farine sucre."},
        {"on-topic", "Pourquoi la montagne devenue célèbre attire les visiteurs : magma lave "
                     "cratère éruption cendre."},
        {"volcan-1", "Le volcan crache du magma, de la lave et de la cendre ; son cratère gronde "
                     "avant chaque éruption sur la montagne."},
        {"volcan-2", "Une éruption répand la lave et le magma autour du cratère ; la cendre "
                     "couvre la montagne."},
        {"volcan-3", "Les visiteurs observent le cratère, la lave refroidie, le magma et la "
                     "cendre de la dernière éruption."},
        {"autre-1", "Le train part de la gare à midi et arrive le soir."},
        {"autre-2", "La bibliothèque ouvre ses portes le samedi matin."},
        {"autre-3", "Le jardinier taille les rosiers au printemps."},
        {"autre-4", "Les élèves apprennent la grammaire et le calcul."},
        {"autre-5", "Le boulanger cuit le pain avant l'aube."},
        {"autre-6", "La rivière déborde après de fortes pluies."},
        {"autre-7", "Le musicien accorde son violon avant le concert."},
        {"autre-8", "Les pêcheurs rentrent au port avec leurs filets."},
        {"autre-9", "La couturière coud une robe de soie."},
        {"autre-10", "Le facteur distribue le courrier dans le quartier."},
    };
    const char *top = getenv("top_builddir");
    char cmd[4096];
    ftmp = th_tmpdir("feedback");
    ck_assert_ptr_nonnull(ftmp);
    char *db = th_path(ftmp, "db"), *conf = th_path(ftmp, "test.conf");
    char *jsonl = th_path(ftmp, "posts.jsonl");
    FILE *f = fopen(jsonl, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
        fprintf(f,
                "{\"id\":\"%s\",\"url\":\"https://example.org/%s\",\"title\":\"Note\","
                "\"author\":\"a\",\"date\":\"2020-01-01\",\"categories\":[],\"lang\":\"fr\","
                "\"body\":\"%s\"}\n",
                bodies[i][0], bodies[i][0], bodies[i][1]);
    ck_assert_int_eq(fclose(f), 0);
    th_write_file(conf, "", 0);
    snprintf(cmd, sizeof cmd, "'%s/src/socasma-index' --quiet --config '%s' --db '%s' '%s' >/dev/null",
             top ? top : ".", conf, db, jsonl);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(srch_engine_new(db, NULL, &feng), SRCH_OK);
    free(db);
    free(conf);
    free(jsonl);
}

static void unbuild_topic_db(void)
{
    srch_engine_free(feng);
    th_rmtree(ftmp);
    free(ftmp);
}

/* The rank (from 0) of post id among the hits of q on the small archive. */
static size_t rank_of(const char *q, const char *id)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    ck_assert_msg(srch_search(feng, &r, &ans) == SRCH_OK, "search [%s]: %s", q, srch_errmsg(feng));
    size_t n = nhits(ans), at = n;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(hit_id(ans, i), id))
            at = i;
    json_decref(ans);
    ck_assert_msg(at < n, "[%s]: %s not found", q, id);
    return at;
}

START_TEST(feedback_prefers_the_shared_subject)
{
    /* A short query gets no feedback: the two posts tie. */
    const char *shortq = "montagne devenue célèbre";
    ck_assert_int_eq(score_of(feng, shortq, "off-topic"), score_of(feng, shortq, "on-topic"));
    /* The question: the post on the subject of the other hits first. */
    const char *question = "Pourquoi la montagne devenue célèbre attire les visiteurs ?";
    ck_assert_uint_lt(rank_of(question, "on-topic"), rank_of(question, "off-topic"));
    /* Both hold every word of the question: they still lead. */
    ck_assert_uint_lt(rank_of(question, "off-topic"), 2);
}
END_TEST

/* ---- answer-type cues ------------------------------------------------- */

static char *atmp;
static srch_engine *aeng;

/* Posts the match cannot tell apart (the same words of the questions, as
 * many words each; their other words are each post's own, so the feedback
 * does not part them), in this order, which Xapian keeps among equals:
 * "hiver" writes no year, "loin" writes one far from the question's words
 * (more than 5 words), "annee" writes one next to them; the same in
 * English. Likewise "stade" and "surnom" (a naming word next to the
 * words). Six posts on other subjects make the bridge words rare. */
static void build_answer_db(void)
{
    static const char *const posts[][3] = {
        {"hiver", "fr", "Le pont de la rivière fut construit en hiver par les ingénieurs venus de "
                        "loin avec leurs outils lourds."},
        {"loin", "fr", "Le pont de la rivière fut construit en automne par les ingénieurs venus de "
                       "loin avec leurs outils 1887."},
        {"annee", "fr", "Le pont de la rivière fut construit en 1887 par les ingénieurs venus de "
                        "loin avec leurs outils pesants."},
        {"winter", "en", "The bridge over the river was built in winter by engineers who came from "
                         "afar with heavy tools."},
        {"year", "en", "The bridge over the river was built in 1887 by engineers who came from "
                       "afar with weighty tools."},
        {"stade", "fr", "Le grand stade de la ville reçoit les matchs du club chaque semaine "
                        "depuis longtemps."},
        {"surnom", "fr", "Le grand stade de la ville surnommé Chaudron reçoit les matchs du club "
                         "chaque semaine."},
        {"derniere", "fr", "Le coureur belge remporta la dernière étape du tour sous la pluie."},
        {"septieme", "fr", "Le coureur belge remporta la septième étape du tour sous la pluie."},
        {"chiffres", "fr", "Le coureur belge remporta la 3e étape du tour sous la pluie."},
        {"lap-last", "en", "The driver was the fastest on the last lap of the race."},
        {"lap-1st", "en", "The driver was the fastest on the 1st lap of the race."},
        {"autre-1", "fr", "Le train part de la gare à midi et arrive le soir."},
        {"autre-2", "fr", "La bibliothèque ouvre ses portes le samedi matin."},
        {"autre-3", "fr", "Le jardinier taille les rosiers au printemps."},
        {"other-1", "en", "The library opens its doors on Saturday morning."},
        {"other-2", "en", "The gardener prunes the roses in spring."},
        {"other-3", "en", "The baker bakes the bread before dawn."},
    };
    const char *top = getenv("top_builddir");
    char cmd[4096];
    atmp = th_tmpdir("answer");
    ck_assert_ptr_nonnull(atmp);
    char *db = th_path(atmp, "db"), *conf = th_path(atmp, "test.conf");
    char *jsonl = th_path(atmp, "posts.jsonl");
    FILE *f = fopen(jsonl, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < sizeof posts / sizeof *posts; i++)
        fprintf(f,
                "{\"id\":\"%s\",\"url\":\"https://example.org/%s\",\"title\":\"Note\","
                "\"author\":\"a\",\"date\":\"2020-01-01\",\"categories\":[],\"lang\":\"%s\","
                "\"body\":\"%s\"}\n",
                posts[i][0], posts[i][0], posts[i][1], posts[i][2]);
    ck_assert_int_eq(fclose(f), 0);
    th_write_file(conf, "", 0);
    snprintf(cmd, sizeof cmd, "'%s/src/socasma-index' --quiet --config '%s' --db '%s' '%s' >/dev/null",
             top ? top : ".", conf, db, jsonl);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(srch_engine_new(db, NULL, &aeng), SRCH_OK);
    free(db);
    free(conf);
    free(jsonl);
}

static void unbuild_answer_db(void)
{
    srch_engine_free(aeng);
    th_rmtree(atmp);
    free(atmp);
}

/* The rank (from 0) of post id among the hits of q on the answer archive. */
static size_t answer_rank(const char *q, const char *id)
{
    srch_request r;
    json_t *ans = NULL;
    srch_request_init(&r);
    r.q = q;
    ck_assert_msg(srch_search(aeng, &r, &ans) == SRCH_OK, "search [%s]: %s", q, srch_errmsg(aeng));
    size_t n = nhits(ans), at = n;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(hit_id(ans, i), id))
            at = i;
    json_decref(ans);
    ck_assert_msg(at < n, "[%s]: %s not found", q, id);
    return at;
}

START_TEST(date_questions_prefer_a_year_near_their_words)
{
    /* No date asked: the three French posts tie. */
    const char *who = "Qui a construit le pont de la rivière ?";
    ck_assert_int_eq(score_of(aeng, who, "hiver"), score_of(aeng, who, "loin"));
    ck_assert_int_eq(score_of(aeng, who, "loin"), score_of(aeng, who, "annee"));
    /* A date asked ("en quelle année", "quand", "à quelle date"): the post
     * with a year next to the words first; a year 10 words away from them
     * counts for nothing ("loin" stays behind "hiver"). */
    const char *asks[] = {"En quelle année le pont de la rivière fut-il construit ?",
                          "Quand le pont de la rivière fut-il construit ?",
                          "À quelle date fut construit le pont de la rivière ?"};
    for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
        ck_assert_msg(answer_rank(asks[i], "annee") == 0, "[%s]: the year not first", asks[i]);
        ck_assert_int_eq(score_of(aeng, asks[i], "hiver"), score_of(aeng, asks[i], "loin"));
    }
    /* "quand" past the opening words is a conjunction, not a question of date */
    const char *conj = "Qui a construit le pont de la rivière quand il fut détruit ?";
    ck_assert_int_eq(score_of(aeng, conj, "hiver"), score_of(aeng, conj, "annee"));
    /* The same in English. */
    ck_assert_int_eq(score_of(aeng, "Who built the bridge over the river?", "winter"),
                     score_of(aeng, "Who built the bridge over the river?", "year"));
    ck_assert_uint_eq(answer_rank("When was the bridge over the river built?", "year"), 0);
    ck_assert_uint_eq(answer_rank("In what year was the bridge over the river built?", "year"), 0);
}
END_TEST

START_TEST(name_questions_prefer_a_naming_word_near_their_words)
{
    const char *who = "Qui joue dans le grand stade de la ville ?";
    ck_assert_uint_lt(answer_rank(who, "stade"), answer_rank(who, "surnom"));
    const char *name = "Quel est l'autre nom du grand stade de la ville ?";
    ck_assert_uint_eq(answer_rank(name, "surnom"), 0);
    ck_assert_uint_eq(answer_rank(name, "stade"), 1);
}
END_TEST

/* An ordinal written in digits finds it written in letters, and the
 * reverse: of posts that say the same in as many words, the one with the
 * ordinal of the query, however spelt, weighs more; a post that holds
 * neither spelling is not found by the ordinal alone. */
START_TEST(ordinals_match_their_other_spelling)
{
    /* the three French posts differ by one word: the query's comes first */
    ck_assert_uint_eq(answer_rank("dernière étape", "derniere"), 0);
    ck_assert_uint_eq(answer_rank("7e étape", "septieme"), 0);
    ck_assert_int_gt(score_of(aeng, "7e étape", "septieme"), score_of(aeng, "7e étape", "derniere"));
    ck_assert_uint_eq(answer_rank("la 7ème étape", "septieme"), 0);
    ck_assert_uint_eq(answer_rank("troisième étape", "chiffres"), 0);
    ck_assert_int_gt(score_of(aeng, "troisième étape", "chiffres"),
                     score_of(aeng, "troisième étape", "derniere"));
    ck_assert_uint_eq(answer_rank("first lap", "lap-1st"), 0);
    ck_assert_int_gt(score_of(aeng, "first lap", "lap-1st"), score_of(aeng, "first lap", "lap-last"));
    /* the ordinal alone: only the post that writes it, in either spelling */
    const char *alone[][2] = {{"7e", "septieme"}, {"septième", "septieme"},
                              {"troisième", "chiffres"}, {"3e", "chiffres"}, {"first", "lap-1st"}};
    for (size_t i = 0; i < sizeof alone / sizeof *alone; i++) {
        srch_request r;
        json_t *ans = NULL;
        srch_request_init(&r);
        r.q = alone[i][0];
        ck_assert_int_eq(srch_search(aeng, &r, &ans), SRCH_OK);
        ck_assert_msg(nhits(ans) == 1 && !strcmp(hit_id(ans, 0), alone[i][1]),
                      "[%s]: %zu hits, not only %s", alone[i][0], nhits(ans), alone[i][1]);
        /* the other spelling is highlighted as the typed one would be */
        const char *sn = json_string_value(
            json_object_get(json_array_get(json_object_get(ans, "hits"), 0), "snippet"));
        const char *mark = i == 0 ? "<mark>septième</mark>" : i == 2 ? "<mark>3e</mark>" : NULL;
        ck_assert_msg(!mark || (sn && strstr(sn, mark)), "[%s]: snippet %s", alone[i][0],
                      sn ? sn : "(none)");
        json_decref(ans);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ranking");
    TCase *tc = tcase_create("sample");
    tcase_add_unchecked_fixture(tc, build_db, unbuild_db);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, titles_first);
    tcase_add_test(tc, typed_word_before_synonyms);
    suite_add_tcase(s, tc);
    TCase *fb = tcase_create("feedback");
    tcase_add_unchecked_fixture(fb, build_topic_db, unbuild_topic_db);
    tcase_set_timeout(fb, 60);
    tcase_add_test(fb, feedback_prefers_the_shared_subject);
    suite_add_tcase(s, fb);
    TCase *an = tcase_create("answer");
    tcase_add_unchecked_fixture(an, build_answer_db, unbuild_answer_db);
    tcase_set_timeout(an, 60);
    tcase_add_test(an, date_questions_prefer_a_year_near_their_words);
    tcase_add_test(an, name_questions_prefer_a_naming_word_near_their_words);
    tcase_add_test(an, ordinals_match_their_other_spelling);
    suite_add_tcase(s, an);
    return th_run_suite(s, 1);
}
